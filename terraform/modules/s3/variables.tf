variable "name" {
  description = "Prefix of the bucket names (globally unique)"
  type        = string
}

variable "export_retention_days" {
  description = "Days a GDPR export zip is kept"
  type        = number
  default     = 7
}

variable "report_retention_days" {
  description = "Days a generated analytics report is kept"
  type        = number
  default     = 30
}

variable "backup_retention_days" {
  description = "Days a database dump is kept (pg_backup.py's BACKUP_RETENTION_DAYS)"
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags on every resource"
  type        = map(string)
  default     = {}
}
