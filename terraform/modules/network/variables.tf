variable "name" {
  description = "Name of the VPC and prefix of its parts"
  type        = string
}

variable "cidr" {
  description = "The VPC's address range"
  type        = string
  default     = "10.20.0.0/16"
}

variable "azs" {
  description = "The three availability zones, named (not looked up), so a new zone never reshuffles subnets"
  type        = list(string)
  validation {
    condition     = length(var.azs) == 3
    error_message = "The platform spans exactly three availability zones."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper, for staging) instead of one per zone"
  type        = bool
  default     = false
}

variable "logs_kms_key_arn" {
  description = "KMS key that encrypts the flow-log group"
  type        = string
}

variable "tags" {
  description = "Tags on every resource"
  type        = map(string)
  default     = {}
}
