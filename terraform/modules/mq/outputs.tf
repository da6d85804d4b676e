output "amqps_endpoint" {
  value = aws_mq_broker.rabbitmq.instances[0].endpoints[0]
}

output "password_secret_arn" {
  value = aws_secretsmanager_secret.broker.arn
}
