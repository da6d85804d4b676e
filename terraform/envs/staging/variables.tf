variable "environment" {
  description = "staging or production"
  type        = string
  default     = "staging"
}

variable "region" {
  description = "Region of the platform"
  type        = string
  default     = "eu-west-1"
}

variable "backup_region" {
  description = "Second region that holds copies of the database backups"
  type        = string
  default     = "eu-central-1"
}

variable "vpc_cidr" {
  description = "The VPC's address range"
  type        = string
  default     = "10.30.0.0/16"
}

variable "single_nat_gateway" {
  description = "One NAT gateway instead of one per zone"
  type        = bool
  default     = true
}

variable "eks_public_access_cidrs" {
  description = "Addresses that may reach the Kubernetes API from outside (operators, CI runners)"
  type        = list(string)
  default     = []
}

variable "node_instance_types" {
  description = "EKS node instance types"
  type        = list(string)
  default     = ["m6i.large"]
}

variable "node_min_size" {
  description = "Fewest EKS nodes"
  type        = number
  default     = 3
}

variable "node_max_size" {
  description = "Most EKS nodes"
  type        = number
  default     = 6
}

variable "db_instance_class" {
  description = "RDS instance class (primary and replicas)"
  type        = string
  default     = "db.t4g.medium"
}

variable "redis_node_type" {
  description = "ElastiCache node type"
  type        = string
  default     = "cache.t4g.small"
}

variable "mq_instance_type" {
  description = "Amazon MQ instance type"
  type        = string
  default     = "mq.m5.large"
}

variable "mq_cluster" {
  description = "Three-node RabbitMQ cluster"
  type        = bool
  default     = false
}
