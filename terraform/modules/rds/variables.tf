variable "name" {
  description = "Identifier of the primary instance and prefix of its parts"
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database"
  type        = string
}

variable "db_subnet_group_name" {
  description = "Subnet group over the database subnets of three zones"
  type        = string
}

variable "client_security_group_id" {
  description = "Security group allowed to connect (the EKS nodes)"
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL version"
  type        = string
  default     = "16.4"
}

variable "database_name" {
  description = "The one database every service schema lives in"
  type        = string
  default     = "fitjourney"
}

variable "instance_class" {
  description = "Instance class of the primary"
  type        = string
  default     = "db.m6g.large"
}

variable "replica_instance_class" {
  description = "Instance class of the read replicas"
  type        = string
  default     = "db.m6g.large"
}

variable "read_replicas" {
  description = "How many read replicas"
  type        = number
  default     = 2
}

variable "replica_availability_zones" {
  description = "Zones the replicas go to, in turn"
  type        = list(string)
}

variable "allocated_storage" {
  description = "Storage in GiB (grows automatically up to five times this)"
  type        = number
  default     = 100
}

variable "tags" {
  description = "Tags on every resource"
  type        = map(string)
  default     = {}
}
