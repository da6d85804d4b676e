# What helm/fitjourney/values-<env>.yaml needs.
output "postgresql_host" {
  value = module.platform.postgresql_host
}

output "postgresql_read_hosts" {
  value = module.platform.postgresql_read_hosts
}

output "redis_host" {
  value = module.platform.redis_host
}

output "rabbitmq_endpoint" {
  value = module.platform.rabbitmq_endpoint
}

output "data_bucket" {
  value = module.platform.data_bucket
}

output "backup_bucket" {
  value = module.platform.backup_bucket
}

output "service_role_arns" {
  value = module.platform.service_role_arns
}

output "eks_cluster_name" {
  value = module.platform.eks_cluster_name
}

output "secrets_to_copy" {
  value = module.platform.secrets_to_copy
}
