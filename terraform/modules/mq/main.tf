# Amazon MQ for RabbitMQ: a three-node cluster over three zones (one node in staging), private, AMQPS only,
# encrypted with its own KMS key, general logs on; the password is generated and kept in Secrets Manager.
module "kms" {
  source      = "../kms"
  name        = "${var.name}-mq"
  description = "${var.name} RabbitMQ"
  tags        = var.tags
}

resource "random_password" "broker" {
  length  = 40
  special = false
}

resource "aws_secretsmanager_secret" "broker" {
  #checkov:skip=CKV2_AWS_57:Broker passwords are rotated by an operator run (README), not a Lambda
  name       = "${var.name}/rabbitmq-password"
  kms_key_id = module.kms.arn
  tags       = var.tags
}

resource "aws_secretsmanager_secret_version" "broker" {
  secret_id     = aws_secretsmanager_secret.broker.id
  secret_string = random_password.broker.result
}

resource "aws_security_group" "mq" {
  name        = "${var.name}-rabbitmq"
  description = "RabbitMQ AMQPS, reachable only from the EKS nodes"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "from_nodes" {
  security_group_id            = aws_security_group.mq.id
  description                  = "AMQPS from the EKS nodes"
  referenced_security_group_id = var.client_security_group_id
  from_port                    = 5671
  to_port                      = 5671
  ip_protocol                  = "tcp"
}

resource "aws_mq_broker" "rabbitmq" {
  broker_name        = var.name
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = var.instance_type
  deployment_mode    = var.cluster ? "CLUSTER_MULTI_AZ" : "SINGLE_INSTANCE"
  subnet_ids         = var.cluster ? var.subnet_ids : [var.subnet_ids[0]]
  security_groups    = [aws_security_group.mq.id]

  publicly_accessible        = false
  auto_minor_version_upgrade = true

  encryption_options {
    use_aws_owned_key = false
    kms_key_id        = module.kms.arn
  }

  logs {
    general = true
  }

  maintenance_window_start_time {
    day_of_week = "SUNDAY"
    time_of_day = "03:30"
    time_zone   = "UTC"
  }

  user {
    username = "fitjourney"
    password = random_password.broker.result
  }

  tags = var.tags
}
