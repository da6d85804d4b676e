variable "name" {
  description = "Replication group id and prefix of its parts"
  type        = string
}

variable "vpc_id" {
  description = "VPC of the cache"
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

variable "node_type" {
  description = "Cache node type"
  type        = string
  default     = "cache.m6g.large"
}

variable "nodes" {
  description = "Primary plus replicas"
  type        = number
  default     = 3
}

variable "logs_kms_key_arn" {
  description = "KMS key of the log group"
  type        = string
}

variable "tags" {
  description = "Tags on every resource"
  type        = map(string)
  default     = {}
}
