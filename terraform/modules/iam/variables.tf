variable "name" {
  description = "Prefix of the role names (fitjourney-<env>)"
  type        = string
}

variable "services" {
  description = "Services with a role of their own (the chart's services map)"
  type        = list(string)
  default     = ["auth", "core", "ai", "analytics"]
}

variable "namespace" {
  description = "Kubernetes namespace of the Helm release"
  type        = string
  default     = "fitjourney"
}

variable "release" {
  description = "Helm release name (the backup ServiceAccount is <release>-backup)"
  type        = string
  default     = "fitjourney"
}

variable "oidc_provider_arn" {
  description = "The EKS cluster's OIDC provider"
  type        = string
}

variable "oidc_provider" {
  description = "The OIDC issuer without https://"
  type        = string
}

variable "data_bucket_arn" {
  description = "Bucket of the services' objects"
  type        = string
}

variable "backup_bucket_arn" {
  description = "Bucket of the database dumps"
  type        = string
}

variable "s3_kms_key_arn" {
  description = "KMS key of both buckets"
  type        = string
}

variable "tags" {
  description = "Tags on every resource"
  type        = map(string)
  default     = {}
}
