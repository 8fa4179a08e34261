# ---------------------------------------------------------------------------------------------------
# Naming and region
# ---------------------------------------------------------------------------------------------------
variable "region" {
  description = "AWS region everything is deployed to."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like an AWS region name, e.g. us-east-1."
  }
}

variable "name" {
  description = "Name prefix of every non-table resource (functions, API, buckets, cluster roles)."
  type        = string
  default     = "reservations"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "table_prefix" {
  description = "Prefix of the DynamoDB table names (RESERVATIONS_TABLE_PREFIX): customer tables are <prefix><customer>-reservations and the registry is <prefix>reservations-customers."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([a-zA-Z0-9_-]{0,39}_)?$", var.table_prefix))
    error_message = "table_prefix must be empty or end with '_' (at most 40 of a-z A-Z 0-9 - _; no '.'): '_' is in no customer name, so no deployment's tenant roles reach the tables of another whose prefix nests in its own (prod_ and prod_eu_)."
  }
}

# ---------------------------------------------------------------------------------------------------
# Function catalogue and builds (generated files, never typed by hand)
# ---------------------------------------------------------------------------------------------------
variable "functions" {
  description = "The function catalogue (generated from reservations.catalogue into functions.auto.tfvars.json by scripts/gen-tfvars.py): name -> handler, kind, routes, memory and timeout."
  type = map(object({
    handler     = string
    kind        = string
    description = string
    memory_mb   = number
    timeout_s   = number
    routes = list(object({
      method = string
      path   = string
      compat = bool
      public = optional(bool, false) # no API key, no authorizer: the function proves the right itself
    }))
  }))

  validation {
    condition     = alltrue([for name, f in var.functions : can(regex("^[a-z][a-z0-9-]{0,30}$", name))])
    error_message = "Function names must be lower-case letters, digits and hyphens."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : contains(["api", "authorizer", "scheduler", "sync", "admin"], f.kind)])
    error_message = "Every function kind must be api, authorizer, scheduler, sync or admin."
  }
  validation {
    condition     = length([for f in values(var.functions) : f if f.kind == "sync"]) == 1
    error_message = "The catalogue must hold exactly one sync function (the channel sync: its schedule and queue find it by kind)."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : can(regex("^[a-z_][a-z0-9_.]*\\.handler$", f.handler))])
    error_message = "Every handler must be a dotted Python module path ending in .handler."
  }
  validation {
    condition     = length([for f in values(var.functions) : f if f.kind == "authorizer"]) == 1
    error_message = "The catalogue must hold exactly one authorizer function."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : length(f.routes) == 0 if f.kind == "admin"]) && length([for f in values(var.functions) : f if f.kind == "admin"]) <= 1
    error_message = "The admin function (at most one) has no route: only the operator invokes it."
  }
  validation {
    condition     = join(",", sort([for name, f in var.functions : name if f.kind == "scheduler"])) == "cluster-down,cluster-up"
    error_message = "The scheduler functions must be cluster-down and cluster-up (the schedules find them by direction)."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : f.memory_mb >= 128 && f.memory_mb <= 10240 && f.timeout_s >= 1 && f.timeout_s <= 900])
    error_message = "memory_mb must be 128-10240 and timeout_s 1-900 (Lambda's limits)."
  }
  validation {
    condition = alltrue(flatten([for f in values(var.functions) : [
      for r in f.routes : contains(["GET", "POST", "PUT", "PATCH", "DELETE"], r.method) && can(regex("^(/[a-z0-9{}_-]+){1,3}$", r.path))
    ]]))
    error_message = "Routes need a method in GET/POST/PUT/PATCH/DELETE and a path of 1-3 segments (the rest_api module builds three resource levels)."
  }
}

variable "lambda_builds" {
  description = "Per-function build metadata written by `reservations build tfvars` into lambda_builds.auto.tfvars.json: name -> build_id, source_code_hash (base64 sha256 of the zip) and, optionally, the S3 key the build was uploaded to (otherwise [artifacts_prefix/]<name>/<name>-<build_id>.zip)."
  type = map(object({
    build_id         = string
    source_code_hash = string
    s3_key           = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for b in values(var.lambda_builds) : can(regex("^[A-Za-z0-9._-]{1,128}$", b.build_id))])
    error_message = "build_id may only hold letters, digits, '.', '_' and '-' (it is part of an S3 key)."
  }
  validation {
    condition     = alltrue([for b in values(var.lambda_builds) : can(regex("^[A-Za-z0-9+/]{43}=$", b.source_code_hash))])
    error_message = "source_code_hash must be the base64 form of a sha256 digest (44 characters)."
  }
  validation {
    condition     = alltrue([for name, b in var.lambda_builds : b.s3_key == null ? true : endswith(b.s3_key, "${name}/${name}-${b.build_id}.zip")])
    error_message = "A build's s3_key must end with <function>/<function>-<build_id>.zip, the builder's naming."
  }
}

variable "artifacts_prefix" {
  description = "Key prefix of the function zips in the artifacts bucket (`reservations build --upload s3://BUCKET/PREFIX`); empty for none."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*)?$", var.artifacts_prefix))
    error_message = "artifacts_prefix must be empty or path segments without leading or trailing slashes."
  }
}

variable "lambda_architecture" {
  description = "Instruction set of every function; must match the --arch the zips were built for."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "log_retention" {
  description = "Days each class of CloudWatch log group is kept: access (the API's access and execution logs), function (the functions' and CodeBuild's own output) and audit (WAF decisions and the EKS control plane's audit log)."
  type = object({
    access   = optional(number, 90)
    function = optional(number, 30)
    audit    = optional(number, 365)
  })
  default = {}

  validation {
    condition     = alltrue([for days in values(var.log_retention) : contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], days)])
    error_message = "Each log_retention value must be one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "lambda_snap_start" {
  description = "Lambda SnapStart for the API functions and the authorizer (not the scheduler's): cold starts restore a snapshot instead of importing; off by default because its cache is billed while a version is published (docs/benchmarks.md)."
  type        = bool
  default     = false
}

variable "api_reserved_concurrency" {
  description = "Reserved concurrency of each API function (null: the account's unreserved pool). Caps what one runaway client can cost."
  type        = number
  default     = null

  validation {
    condition     = var.api_reserved_concurrency == null ? true : var.api_reserved_concurrency >= 1
    error_message = "api_reserved_concurrency must be null or at least 1."
  }
}

# ---------------------------------------------------------------------------------------------------
# Customers and the API
# ---------------------------------------------------------------------------------------------------
variable "tiers" {
  description = "Usage plans by tier (issue #23: a plan per tier, not per customer; API Gateway's per-key limits apply to each customer's key in it): tier -> rate, burst and optional monthly quota. `reservations tenants create --tier` puts a customer's usage key in its tier's plan."
  type = map(object({
    rate_limit    = number
    burst_limit   = number
    monthly_quota = optional(number)
  }))
  default = {
    standard = { rate_limit = 20, burst_limit = 40 }
  }

  validation {
    condition     = length(var.tiers) >= 1 && length(var.tiers) <= 20 && alltrue([for name in keys(var.tiers) : can(regex("^[a-z][a-z0-9-]{0,19}$", name))])
    error_message = "tiers: 1 to 20 of them (usage plans are a per-account quota of 300), each named by 1-20 of a-z, 0-9 and '-'."
  }
  validation {
    condition     = alltrue([for t in values(var.tiers) : t.rate_limit > 0 && t.burst_limit >= 1])
    error_message = "rate_limit must be positive and burst_limit at least 1."
  }
}

variable "stage_name" {
  description = "API Gateway stage name (the last path segment of the API URL)."
  type        = string
  default     = "v1"

  validation {
    condition     = can(regex("^[A-Za-z0-9_]{1,64}$", var.stage_name))
    error_message = "stage_name may hold letters, digits and underscores only."
  }
}

variable "api_throttle" {
  description = "Stage-wide throttling (requests per second and burst) applied before the per-customer usage plans."
  type = object({
    rate_limit  = number
    burst_limit = number
  })
  default = {
    rate_limit  = 200
    burst_limit = 400
  }

  validation {
    condition     = var.api_throttle.rate_limit > 0 && var.api_throttle.burst_limit >= 1
    error_message = "api_throttle needs a positive rate_limit and a burst_limit of at least 1."
  }
}

variable "authorizer_cache_ttl_seconds" {
  description = "How long API Gateway caches an authorizer decision, keyed on the API key and customer headers (0 disables caching; a revoked key keeps working at most this long)."
  type        = number
  default     = 300

  validation {
    condition     = var.authorizer_cache_ttl_seconds >= 0 && var.authorizer_cache_ttl_seconds <= 3600
    error_message = "authorizer_cache_ttl_seconds must be between 0 and 3600."
  }
}

variable "enforce_usage_plans" {
  description = "Require every API method to be metered by the customer's usage plan: API Gateway then takes the plan key from the authorizer's usageIdentifierKey (<prefix><customer>, env RESERVATIONS_USAGE_KEY_PREFIX). Turn on only with an authorizer that returns it; otherwise every request is refused with 403."
  type        = bool
  default     = true
}

variable "cors_allowed_origins" {
  description = "Browser origins allowed to call the API directly, besides the CloudFront web origin (added automatically when enable_web is true)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for o in var.cors_allowed_origins : can(regex("^https?://[A-Za-z0-9.-]+(:[0-9]+)?$", o))])
    error_message = "cors_allowed_origins must be origins such as https://hotels.example.com (scheme, host, optional port; no path)."
  }
}

variable "public_api_url" {
  description = "The API's public URL, where channels (Booking.com, Airbnb) fetch each room's calendar feed: the edge's, {customer} standing for the customer's name, e.g. https://{customer}.hotels.example.com/api (env RESERVATIONS_PUBLIC_API_URL: each room's calendar_url). Null: API Gateway's own host and stage, which edge_secret_arn closes to all but the edge."
  type        = string
  default     = null

  validation {
    condition     = var.public_api_url == null || can(regex("^https://(\\{customer\\}\\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[A-Za-z0-9._~-]+)*/?$", coalesce(var.public_api_url, "x")))
    error_message = "public_api_url must be an https:// URL without query or credentials, optionally {customer}.<domain>, e.g. https://{customer}.hotels.example.com/api."
  }
}

variable "directory_read_role_arn" {
  description = "The cells' directory's read role in the control account (terraform/control's output directory_read_role_arn): when set, the edge pods' role may assume it, and the edge's directory sync reads the directory through it (env RESERVATIONS_DIRECTORY_ROLE_ARN). Null: no such grant (one cell, or no directory)."
  type        = string
  default     = null

  validation {
    condition     = var.directory_read_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", coalesce(var.directory_read_role_arn, "x")))
    error_message = "directory_read_role_arn must be an IAM role ARN, e.g. arn:aws:iam::111111111111:role/reservations-directory-read."
  }
}

variable "edge_secret_arn" {
  description = "Secrets Manager secret (>= 32 characters) the nginx edge sends as a header; when set, the API's WAF refuses every request without it, so clients cannot bypass the edge. Needs enable_waf and enable_web = false (the edge serves the page itself). Only the ARN is configured here."
  type        = string
  default     = null

  validation {
    condition     = var.edge_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.edge_secret_arn))
    error_message = "edge_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "enable_waf" {
  description = "Attach an AWS WAF web ACL (managed common and known-bad-input rules plus a per-address rate limit) to the API stage."
  type        = bool
  default     = true
}

variable "manage_api_gateway_account" {
  description = "Set the account-wide API Gateway CloudWatch role (needed for access logging). Turn off if another stack in this account and region already manages aws_api_gateway_account."
  type        = bool
  default     = true
}

# ---------------------------------------------------------------------------------------------------
# Web page
# ---------------------------------------------------------------------------------------------------
variable "enable_web" {
  description = "Serve the static web page from a private S3 bucket through CloudFront."
  type        = bool
  default     = true
}

variable "web_source_dir" {
  description = "Directory holding the static page to upload (null: the repository's web/ directory, which needs the Terraform Cloud workspace's working directory to be terraform/ with the whole repository uploaded)."
  type        = string
  default     = null

  # fileset() of a missing directory is empty: the plan would delete every page object. Refuse.
  validation {
    condition     = var.web_source_dir == null || fileexists("${coalesce(var.web_source_dir, ".")}/index.html")
    error_message = "web_source_dir must be the page's directory (holding index.html)."
  }
}

# ---------------------------------------------------------------------------------------------------
# EKS and the nginx edge
# ---------------------------------------------------------------------------------------------------
variable "vpc_id" {
  description = "VPC the EKS cluster runs in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC id such as vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Subnets of the cluster and its nodes (at least two availability zones). Empty: every subnet of vpc_id tagged kubernetes.io/role/internal-elb or kubernetes.io/role/elb."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "subnet_ids must be subnet ids such as subnet-0123456789abcdef0."
  }
}

variable "cluster_name" {
  description = "Name of the EKS cluster (also the scheduler's RESERVATIONS_CLUSTER_NAME)."
  type        = string
  default     = "reservations"

  validation {
    condition     = can(regex("^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$", var.cluster_name))
    error_message = "cluster_name must be a valid EKS cluster name."
  }
}

variable "cluster_version" {
  description = "Kubernetes version of the EKS cluster."
  type        = string
  default     = "1.32"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.cluster_version))
    error_message = "cluster_version must look like 1.32."
  }
}

variable "cluster_node_subnet_ids" {
  description = "Private subnets of the nodes (a NAT gateway route, or VPC endpoints for ECR, S3, STS, EC2 and CloudWatch Logs, is a prerequisite); empty uses subnet_ids."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.cluster_node_subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "cluster_node_subnet_ids must be subnet ids."
  }
}

variable "cluster_endpoint_client_security_group_ids" {
  description = "Security groups allowed to reach the private Kubernetes API on 443: the Terraform Cloud agent's, which runs the edge workspace from inside the VPC."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for g in var.cluster_endpoint_client_security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", g))])
    error_message = "cluster_endpoint_client_security_group_ids must be security group ids."
  }
}

variable "terraform_run_role_arn" {
  description = "Role Terraform Cloud's runs assume (dynamic provider credentials): given cluster-admin by an EKS access entry so the edge workspace can manage the Kubernetes objects; null grants none."
  type        = string
  default     = null

  validation {
    condition     = var.terraform_run_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.terraform_run_role_arn))
    error_message = "terraform_run_role_arn must be an IAM role ARN."
  }
}

variable "cluster_endpoint_public_access_cidrs" {
  description = "Networks allowed to reach the Kubernetes API endpoint from the internet (the Terraform Cloud runners and operators). Empty: private endpoint only, so Terraform must run inside the VPC (e.g. a Terraform Cloud agent)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.cluster_endpoint_public_access_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "cluster_endpoint_public_access_cidrs must be CIDR blocks narrower than 0.0.0.0/0."
  }
}

variable "cluster_admin_role_arns" {
  description = "IAM role ARNs given cluster-admin access to Kubernetes (operators, the Terraform Cloud run role)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.cluster_admin_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", a))])
    error_message = "cluster_admin_role_arns must be IAM role ARNs."
  }
}

variable "node_group" {
  description = "The managed node group: instance types and size."
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

# ---------------------------------------------------------------------------------------------------
# Cost scheduler and Terraform Cloud
# ---------------------------------------------------------------------------------------------------
variable "cluster_schedule" {
  description = "When the scheduler tears the cluster down and rebuilds it (EventBridge Scheduler cron expressions in `timezone`), how often it follows up until a step is done, and the dates on which scheduled runs do nothing."
  type = object({
    enabled               = optional(bool, true)
    down                  = optional(string, "cron(0 23 ? * MON-FRI *)")
    up                    = optional(string, "cron(0 7 ? * MON-FRI *)")
    timezone              = optional(string, "America/New_York")
    follow_up_minutes     = optional(number, 5)
    holidays              = optional(list(string), [])
    allow_foreign_changes = optional(bool, false)
  })
  default = {}

  validation {
    condition     = can(regex("^cron\\(.+\\)$", var.cluster_schedule.down)) && can(regex("^cron\\(.+\\)$", var.cluster_schedule.up))
    error_message = "cluster_schedule.down and .up must be EventBridge Scheduler cron(...) expressions."
  }
  validation {
    condition     = can(regex("^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$", var.cluster_schedule.timezone))
    error_message = "cluster_schedule.timezone must be an IANA time zone such as America/New_York or UTC."
  }
  validation {
    condition     = var.cluster_schedule.follow_up_minutes >= 1 && var.cluster_schedule.follow_up_minutes <= 60
    error_message = "cluster_schedule.follow_up_minutes must be between 1 and 60."
  }
  validation {
    condition     = alltrue([for d in var.cluster_schedule.holidays : can(formatdate("YYYY-MM-DD", "${d}T00:00:00Z"))])
    error_message = "cluster_schedule.holidays must be YYYY-MM-DD dates."
  }
}

variable "notification_emails" {
  description = "Addresses subscribed to the scheduler's outcome topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.notification_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "notification_emails must be e-mail addresses."
  }
}

variable "tfc_url" {
  description = "Terraform Cloud (or Terraform Enterprise) address the \"up\" function starts runs on."
  type        = string
  default     = "https://app.terraform.io"

  validation {
    condition     = can(regex("^https://[A-Za-z0-9.-]+(:[0-9]+)?/?$", var.tfc_url))
    error_message = "tfc_url must be an https:// address."
  }
}

variable "tfc_organization" {
  description = "Terraform Cloud organization holding this configuration's workspace; null when the state is not in Terraform Cloud (the scheduler's schedules then stay off)."
  type        = string
  default     = null

  validation {
    condition     = var.tfc_organization == null || can(regex("^[A-Za-z0-9_-]{1,64}$", var.tfc_organization))
    error_message = "tfc_organization must be a Terraform Cloud organization name."
  }
}

variable "tfc_workspace" {
  description = "Terraform Cloud workspace whose runs (re)create the cluster: this configuration's workspace. Null (a local or other backend) keeps the scheduler's schedules off, so an install without Terraform Cloud never loses its cluster at night with no way to rebuild it."
  type        = string
  default     = null

  validation {
    condition     = var.tfc_workspace == null || can(regex("^[A-Za-z0-9_-]{1,90}$", var.tfc_workspace))
    error_message = "tfc_workspace must be a Terraform Cloud workspace name."
  }
}

variable "tfc_edge_workspace" {
  description = "Terraform Cloud workspace of the edge root module (terraform/edge), run by the rebuild after the cluster workspace; null skips the edge run."
  type        = string
  default     = null

  validation {
    condition     = var.tfc_edge_workspace == null || can(regex("^[A-Za-z0-9_-]{1,90}$", var.tfc_edge_workspace))
    error_message = "tfc_edge_workspace must be a Terraform Cloud workspace name."
  }
}

variable "tfc_token_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the Terraform Cloud API token (a team token for the workspaces). Only the ARN is configured here; the token never enters Terraform. Null when tfc_workspace is null."
  type        = string
  default     = null

  validation {
    condition     = var.tfc_token_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.tfc_token_secret_arn))
    error_message = "tfc_token_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "tfc_client" {
  description = "Terraform Cloud client library the \"up\" function uses: pytfe (default, maintained) or terrasnek (the original system's)."
  type        = string
  default     = "pytfe"

  validation {
    condition     = contains(["pytfe", "terrasnek"], var.tfc_client)
    error_message = "tfc_client must be pytfe or terrasnek."
  }
}

# ---------------------------------------------------------------------------------------------------
# CodeBuild
# ---------------------------------------------------------------------------------------------------
variable "source_repository_url" {
  description = "HTTPS clone URL of this repository, which CodeBuild builds with its buildspec.yml."
  type        = string

  validation {
    condition     = can(regex("^https://.+", var.source_repository_url))
    error_message = "source_repository_url must be an https:// clone URL."
  }
}

variable "source_version" {
  description = "Branch, tag or commit CodeBuild builds by default."
  type        = string
  default     = "main"
}

variable "source_auth" {
  description = "How CodeBuild reads a private repository: { type = \"CODECONNECTIONS\", resource = <CodeConnections connection ARN> } or { type = \"SECRETS_MANAGER\", resource = <Secrets Manager secret ARN holding a GitHub token> }; null for a public repository (docs/deploying.md)."
  type = object({
    type     = string
    resource = string
  })
  default = null

  validation {
    condition     = var.source_auth == null || contains(["CODECONNECTIONS", "SECRETS_MANAGER"], try(var.source_auth.type, ""))
    error_message = "source_auth.type must be CODECONNECTIONS or SECRETS_MANAGER."
  }
}

# ---------------------------------------------------------------------------------------------------
# Tear-down (docs/deploying.md): both keep data by default
# ---------------------------------------------------------------------------------------------------
variable "registry_deletion_protection" {
  description = "Whether the registry table (customers and their key hashes) refuses deletion, like the customers' tables; set false and apply before terraform destroy."
  type        = bool
  default     = true
}

variable "artifacts_force_destroy" {
  description = "Whether terraform destroy may empty and delete the artifacts bucket (the zips the builds uploaded, every version); set true and apply before terraform destroy."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------------
# Operations: alarms, budget, deployments, backups, synthetic check
# ---------------------------------------------------------------------------------------------------
variable "alarm_emails" {
  description = "Addresses paged by every alarm and the budget's alerts (through the alarm topic; each must confirm its subscription). Subscribe ChatOps to the alarm_topic_arn output."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_emails must be e-mail addresses."
  }
}

variable "alarm_thresholds" {
  description = "When alarms fire (defaults in modules/monitoring): api_5xx_per_5_minutes, api_p99_latency_ms, function_errors, function_throttles, duration_fraction_of_timeout, table_system_errors, table_throttled_requests, waf_blocked_per_5_minutes."
  type = object({
    api_5xx_per_5_minutes        = optional(number, 5)
    api_p99_latency_ms           = optional(number, 3000)
    function_errors              = optional(number, 1)
    function_throttles           = optional(number, 1)
    duration_fraction_of_timeout = optional(number, 0.8)
    table_system_errors          = optional(number, 1)
    table_throttled_requests     = optional(number, 5)
    waf_blocked_per_5_minutes    = optional(number, 500)
  })
  default = {}

  validation {
    condition     = var.alarm_thresholds.duration_fraction_of_timeout > 0 && var.alarm_thresholds.duration_fraction_of_timeout < 1
    error_message = "alarm_thresholds.duration_fraction_of_timeout must be between 0 and 1 (exclusive)."
  }
}

variable "budget" {
  description = "Monthly AWS Budgets cost limit in USD, the percentages of it that alert (mail and the alarm topic; a forecast above 100 % alerts too), and optionally the cost allocation tag scoping it to this deployment (activate it in Billing first; null: the whole account)."
  type = object({
    monthly_limit_usd        = number
    alert_thresholds_percent = optional(list(number), [80, 100])
    cost_allocation_tag = optional(object({
      key   = string
      value = string
    }))
  })
  default = { monthly_limit_usd = 300 }

  validation {
    condition     = var.budget.monthly_limit_usd > 0
    error_message = "budget.monthly_limit_usd must be positive."
  }
}

variable "deployment_config" {
  description = "How CodeDeploy shifts a function's live alias to a new version: a CodeDeployDefault.Lambda* configuration (canary 10 % for 5 minutes by default; rolled back on the function's alarms)."
  type        = string
  default     = "CodeDeployDefault.LambdaCanary10Percent5Minutes"

  validation {
    condition     = startswith(var.deployment_config, "CodeDeployDefault.Lambda")
    error_message = "deployment_config must be a CodeDeployDefault.Lambda* configuration."
  }
}

variable "backup" {
  description = "AWS Backup of the registry and every customer table: daily schedule (cron, UTC), days kept, and optionally a vault in a second region each recovery point is copied to (and how long copies are kept; null: as long)."
  type = object({
    schedule            = optional(string, "cron(0 5 ? * * *)")
    retention_days      = optional(number, 90)
    copy_vault_arn      = optional(string)
    copy_retention_days = optional(number)
  })
  default = {}

  validation {
    condition     = var.backup.retention_days >= 1 && can(regex("^cron\\(.+\\)$", var.backup.schedule))
    error_message = "backup needs retention_days of at least 1 and a cron(...) schedule."
  }
  validation {
    condition     = var.backup.copy_vault_arn == null || can(regex("^arn:aws[a-z-]*:backup:[a-z0-9-]+:[0-9]{12}:backup-vault:.+$", coalesce(var.backup.copy_vault_arn, "-")))
    error_message = "backup.copy_vault_arn must be a Backup vault ARN (in the second region) or null."
  }
}

variable "synthetic_check" {
  description = "The check after each morning's rebuild: edge_url is one customer's host on the edge (https://star.hotels.example.com), schedule a cron in cluster_schedule.timezone. Null: no check. Set that customer's API key on the connection once (docs/operating.md)."
  type = object({
    edge_url = string
    schedule = optional(string, "cron(0 8 ? * MON-FRI *)")
  })
  default = null

  validation {
    condition     = var.synthetic_check == null || can(regex("^https://[a-z0-9.-]+(:[0-9]+)?/?$", try(var.synthetic_check.edge_url, "")))
    error_message = "synthetic_check.edge_url must be an https:// base URL without a path."
  }
}
