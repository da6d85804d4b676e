# What helm/fitjourney/values-<env>.yaml needs (envs/<env> pass them on).
output "postgresql_host" {
  value = module.rds.endpoint
}

output "postgresql_read_hosts" {
  value = module.rds.replica_endpoints
}

output "redis_host" {
  value = module.redis.primary_endpoint
}

output "rabbitmq_endpoint" {
  value = module.mq.amqps_endpoint
}

output "data_bucket" {
  value = module.s3.data_bucket
}

output "backup_bucket" {
  value = module.s3.backup_bucket
}

output "service_role_arns" {
  value = module.iam.role_arns
}

output "eks_cluster_name" {
  value = module.eks.cluster_name
}

output "secrets_to_copy" {
  description = "Secrets Manager entries for the chart: postgres_master is secrets.externalSecrets.postgresAdminRemoteKey (the db-roles Job reads it), the others go into the fitjourney/<env> JSON secret (README)"
  value = {
    postgres_master = module.rds.master_user_secret_arn
    redis_auth      = module.redis.auth_token_secret_arn
    rabbitmq        = module.mq.password_secret_arn
  }
}
