# VPC over three availability zones: public subnets (load balancers, NAT), private subnets (EKS nodes),
# database subnets (RDS, ElastiCache, Amazon MQ), with VPC flow logs.
locals {
  azs = var.azs
}

module "vpc" {
  #checkov:skip=CKV_TF_1:A registry module pinned to one exact version (hashes apply to git sources)
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.13.0"

  name = var.name
  cidr = var.cidr
  azs  = local.azs

  public_subnets   = [for i in range(3) : cidrsubnet(var.cidr, 8, i)]
  private_subnets  = [for i in range(3) : cidrsubnet(var.cidr, 4, i + 1)]
  database_subnets = [for i in range(3) : cidrsubnet(var.cidr, 8, i + 100)]

  create_database_subnet_group = true
  enable_nat_gateway           = true
  single_nat_gateway           = var.single_nat_gateway
  one_nat_gateway_per_az       = !var.single_nat_gateway
  enable_dns_hostnames         = true
  enable_dns_support           = true

  manage_default_security_group  = true
  default_security_group_ingress = []
  default_security_group_egress  = []

  enable_flow_log                                 = true
  create_flow_log_cloudwatch_log_group            = true
  create_flow_log_cloudwatch_iam_role             = true
  flow_log_cloudwatch_log_group_retention_in_days = 365
  flow_log_cloudwatch_log_group_kms_key_id        = var.logs_kms_key_arn

  public_subnet_tags = {
    "kubernetes.io/role/elb" = 1
  }
  private_subnet_tags = {
    "kubernetes.io/role/internal-elb" = 1
  }

  tags = var.tags
}
