# ElastiCache Redis 7: a primary and replicas over three zones with automatic failover, TLS in transit, an AUTH
# token (kept in Secrets Manager), encryption at rest with its own KMS key, daily snapshots, logs delivered.
module "kms" {
  source      = "../kms"
  name        = "${var.name}-redis"
  description = "${var.name} Redis at rest"
  tags        = var.tags
}

resource "random_password" "auth_token" {
  length  = 64
  special = false
}

resource "aws_secretsmanager_secret" "auth_token" {
  #checkov:skip=CKV2_AWS_57:ElastiCache AUTH tokens are rotated by an operator run (README), not a Lambda
  name       = "${var.name}/redis-auth-token"
  kms_key_id = module.kms.arn
  tags       = var.tags
}

resource "aws_secretsmanager_secret_version" "auth_token" {
  secret_id     = aws_secretsmanager_secret.auth_token.id
  secret_string = random_password.auth_token.result
}

resource "aws_security_group" "redis" {
  name        = "${var.name}-redis"
  description = "Redis, reachable only from the EKS nodes"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "from_nodes" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis TLS from the EKS nodes"
  referenced_security_group_id = var.client_security_group_id
  from_port                    = 6379
  to_port                      = 6379
  ip_protocol                  = "tcp"
}

resource "aws_elasticache_subnet_group" "redis" {
  name       = "${var.name}-redis"
  subnet_ids = var.subnet_ids
}

resource "aws_cloudwatch_log_group" "redis" {
  name              = "/elasticache/${var.name}"
  retention_in_days = 365
  kms_key_id        = var.logs_kms_key_arn
  tags              = var.tags
}

resource "aws_elasticache_replication_group" "redis" {
  replication_group_id = var.name
  description          = "FitJourney cache, sessions, rate limits and pub/sub"
  engine               = "redis"
  engine_version       = "7.1"
  node_type            = var.node_type
  port                 = 6379
  parameter_group_name = "default.redis7"

  num_cache_clusters         = var.nodes
  automatic_failover_enabled = true
  multi_az_enabled           = true
  subnet_group_name          = aws_elasticache_subnet_group.redis.name
  security_group_ids         = [aws_security_group.redis.id]

  transit_encryption_enabled = true
  auth_token                 = random_password.auth_token.result
  at_rest_encryption_enabled = true
  kms_key_id                 = module.kms.arn

  snapshot_retention_limit   = 7
  snapshot_window            = "01:00-02:00"
  maintenance_window         = "sun:05:00-sun:06:00"
  auto_minor_version_upgrade = true
  apply_immediately          = false

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.redis.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "engine-log"
  }

  tags = var.tags
}
