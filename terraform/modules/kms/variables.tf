variable "name" {
  description = "Alias of the key (alias/<name>)"
  type        = string
}

variable "description" {
  description = "What the key encrypts"
  type        = string
}

variable "service_principals" {
  description = "AWS service principals that may use the key (e.g. logs.eu-west-1.amazonaws.com)"
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags on every resource"
  type        = map(string)
  default     = {}
}
