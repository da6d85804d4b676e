variable "name" {
  description = "Broker name"
  type        = string
}

variable "vpc_id" {
  description = "VPC of the broker"
  type        = string
}

variable "subnet_ids" {
  description = "Database subnets of three zones"
  type        = list(string)
}

variable "client_security_group_id" {
  description = "Security group allowed to connect (the EKS nodes)"
  type        = string
}

variable "instance_type" {
  description = "Broker instance type"
  type        = string
  default     = "mq.m5.large"
}

variable "cluster" {
  description = "A three-node cluster over three zones (false: one node, for staging)"
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags on every resource"
  type        = map(string)
  default     = {}
}
