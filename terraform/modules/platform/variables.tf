variable "environment" {
  description = "staging or production"
  type        = string
  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment is staging or production."
  }
}

variable "region" {
  description = "Region of the platform"
  type        = string
}

variable "azs" {
  description = "The three availability zones"
  type        = list(string)
}

variable "backup_region" {
  description = "Second region that holds copies of the database backups"
  type        = string
}

variable "vpc_cidr" {
  description = "The VPC's address range"
  type        = string
  default     = "10.20.0.0/16"
}

variable "single_nat_gateway" {
  description = "One NAT gateway instead of one per zone"
  type        = bool
  default     = false
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
  default     = 12
}

variable "db_instance_class" {
  description = "RDS instance class (primary and replicas)"
  type        = string
  default     = "db.m6g.large"
}

variable "redis_node_type" {
  description = "ElastiCache node type"
  type        = string
  default     = "cache.m6g.large"
}

variable "mq_instance_type" {
  description = "Amazon MQ instance type"
  type        = string
  default     = "mq.m5.large"
}

variable "mq_cluster" {
  description = "Three-node RabbitMQ cluster"
  type        = bool
  default     = true
}

variable "read_replicas" {
  description = "PostgreSQL read replicas"
  type        = number
  default     = 2
}
