variable "cluster_name" {
  description = "Name of the EKS cluster."
  type        = string

  validation {
    condition     = can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.cluster_name))
    error_message = "cluster_name must be a valid EKS cluster name."
  }
}

variable "cluster_version" {
  description = "Kubernetes version; keep it in EKS standard support (`aws eks describe-cluster-versions --version-status STANDARD_SUPPORT`), which upgrade_policy STANDARD enforces."
  type        = string
  default     = "1.35"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.cluster_version))
    error_message = "cluster_version must look like 1.32."
  }
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC id."
  }
}

variable "subnet_ids" {
  description = "Subnets of the control plane's network interfaces and the nodes; empty selects the VPC's subnets tagged kubernetes.io/role/internal-elb or kubernetes.io/role/elb."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "subnet_ids must be subnet ids."
  }
}

variable "node_subnet_ids" {
  description = "Private subnets of the nodes (a route to a NAT gateway, or VPC endpoints for ECR, S3, STS, EC2 and CloudWatch Logs, is a prerequisite); empty uses subnet_ids."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.node_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "node_subnet_ids must be subnet ids."
  }
}

variable "endpoint_client_security_group_ids" {
  description = "Security groups (e.g. a Terraform Cloud agent's in the VPC) allowed to reach the private Kubernetes API endpoint on 443."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for g in var.endpoint_client_security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", g))])
    error_message = "endpoint_client_security_group_ids must be security group ids."
  }
}

variable "terraform_run_role_arn" {
  description = "Role the Terraform runs assume (e.g. Terraform Cloud's dynamic-credentials role): granted cluster-admin by an access entry so the edge's run can manage Kubernetes objects; null grants none."
  type        = string
  default     = null

  validation {
    condition     = var.terraform_run_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.terraform_run_role_arn))
    error_message = "terraform_run_role_arn must be an IAM role ARN."
  }
}

variable "endpoint_public_access_cidrs" {
  description = "Networks that may reach the API endpoint over the internet; empty keeps the endpoint private."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.endpoint_public_access_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "endpoint_public_access_cidrs must be CIDR blocks narrower than 0.0.0.0/0."
  }
}

variable "admin_role_arns" {
  description = "IAM roles given cluster-admin through EKS access entries."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.admin_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", a))])
    error_message = "admin_role_arns must be IAM role ARNs."
  }
}

variable "node_group" {
  description = "Managed node group size and instance types."
  type = object({
    instance_types = optional(list(string), ["t3.medium"])
    min_size       = optional(number, 2)
    desired_size   = optional(number, 2)
    max_size       = optional(number, 4)
    disk_size_gb   = optional(number, 20)
  })
  default = {}

  validation {
    condition     = var.node_group.min_size >= 1 && var.node_group.min_size <= var.node_group.desired_size && var.node_group.desired_size <= var.node_group.max_size
    error_message = "node_group needs 1 <= min_size <= desired_size <= max_size."
  }
}

variable "schedule_opt_in" {
  description = "Tag the cluster reservations/schedule = enabled, which the cost scheduler requires before it touches the cluster."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "KMS key for envelope encryption of Kubernetes secrets and the control plane logs."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "log_retention_days" {
  description = "Retention of the control plane log group."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts."
  }
}
