output "primary_endpoint" {
  value = aws_elasticache_replication_group.redis.primary_endpoint_address
}

output "auth_token_secret_arn" {
  value = aws_secretsmanager_secret.auth_token.arn
}
