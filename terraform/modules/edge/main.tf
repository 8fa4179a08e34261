# The nginx edge on EKS, applied by Terraform with the kubernetes provider, so the run that
# recreates the cluster also restores the edge (no kubectl step).  Namespace, ConfigMap (nginx.conf),
# Deployment (nginx and the custom-domain sync), NLB Service, PodDisruptionBudget and autoscaler.

locals {
  upstream                   = regex("^https://([^/]+)(/.*)?$", trimsuffix(var.upstream_url, "/"))
  customer_host_suffix_regex = var.customer_host_pattern == null ? "(?!)" : replace(trimprefix(var.customer_host_pattern, "{customer}"), ".", "\\.")
  labels                     = { "app.kubernetes.io/name" = var.name, "app.kubernetes.io/part-of" = "reservations" }
  # templates/nginx.conf.tftpl is generated from src/reservations/edge/ (`make tfvars`; never edit it):
  # the configuration the tests run under real nginx, with these values as its variables.
  template_values = {
    # The container's "http" port, where the NLB's 443 (TLS ends there) arrives.
    listen_port = 8080
    # The container's "redirect" port, where the NLB's 80 arrives: redirected to https.
    redirect_port = 8081
    # The VPC's DNS resolver, and Debian's CA bundle in the image (API Gateway's certificate).
    resolver  = "169.254.169.253"
    ca_bundle = "/etc/ssl/certs/ca-certificates.crt"
    # The edge-header Secret below, as mounted.
    edge_header_path = "/etc/nginx/edge-secret/edge-header.conf"
    # The memory emptyDir below, nginx's -p prefix (pid, temp files); the page baked into the image.
    state_dir = "/tmp"
    web_root  = "/srv/web"
    # API Gateway's stage; upstream_url takes no port.
    upstream_host      = local.upstream[0]
    upstream_port      = 443
    upstream_path      = local.upstream[1] == null ? "" : local.upstream[1]
    rate_limit_per_sec = var.rate_limit_per_sec
    rate_limit_burst   = var.rate_limit_burst
    # Customer subdomains: the pattern's domain as a regex (dots escaped), or one matching nothing.
    customer_host_suffix_regex = local.customer_host_suffix_regex
  }
  # In front of cells: each cell's API Gateway host (they share upstream_url's stage path and 443).
  cell_hosts     = { for name, cell in var.cells : name => regex("^https://([^/]+)", cell.api_url)[0] }
  cell_stage_ok  = alltrue([for cell in values(var.cells) : trimsuffix(replace(cell.api_url, "/^https://[^/]+/", ""), "/") == (local.upstream[1] == null ? "" : local.upstream[1])])
  nginx_template = length(var.cells) == 0 ? "nginx.conf.tftpl" : "nginx-cells.conf.tftpl"
  nginx_conf     = templatefile("${path.module}/templates/${local.nginx_template}", merge(local.template_values, { cells = local.cell_hosts }))
  # The custom-domain sync (`reservations edge sync`, in the image): custom domains are registry
  # items (`reservations tenants hosts add`), never a Terraform value. It writes tenants.map beside
  # nginx.conf in the "conf" emptyDir (the init container first copies nginx.conf there from the
  # read-only ConfigMap) and signals nginx's master, whose pid is in the shared /tmp, to reload.
  # In front of cells (var.cells) the same containers run the directory sync instead
  # (`edge sync --cells`): cells.map and tenants.map from the cells' directory, read as
  # directory_role_arn (the control account's read role) in directory_region.
  sync_command = concat([
    "/opt/reservations/bin/reservations", "edge", "sync", "--store", "dynamodb",
    "--conf-dir", "/etc/nginx/edge", "--state-dir", "/tmp",
  ], length(var.cells) == 0 ? [] : ["--cells", join(",", keys(var.cells))])
  sync_env = length(var.cells) == 0 ? {
    RESERVATIONS_REGISTRY_TABLE = var.registry_table
    AWS_REGION                  = var.region
    } : merge({
      AWS_REGION                = coalesce(var.directory_region, var.region)
      RESERVATIONS_TABLE_PREFIX = var.directory_table_prefix
  }, var.directory_role_arn == null ? {} : { RESERVATIONS_DIRECTORY_ROLE_ARN = var.directory_role_arn })
}

resource "kubernetes_namespace_v1" "this" {
  metadata {
    name   = var.name
    labels = merge(local.labels, { "pod-security.kubernetes.io/enforce" = "restricted" })
  }
}

resource "kubernetes_config_map_v1" "this" {
  metadata {
    name      = var.name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  data = {
    "nginx.conf" = local.nginx_conf
  }

  lifecycle {
    precondition {
      condition     = local.cell_stage_ok
      error_message = "every cells[*].api_url must have upstream_url's stage path (the edge's /api/ rewrite is shared)."
    }
  }
}

# The header that proves to the API's WAF that a request came through the edge, as an nginx
# directive in a Secret (never in the ConfigMap): mounted read-only and included by nginx.conf.
resource "kubernetes_secret_v1" "edge_header" {
  metadata {
    name      = "${var.name}-edge-header"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  data = {
    "edge-header.conf" = var.edge_header_value == null ? "# no edge header: the API accepts direct calls\n" : "proxy_set_header ${var.edge_header_name} \"${var.edge_header_value}\";\n"
  }
}

resource "kubernetes_service_account_v1" "this" {
  metadata {
    name      = var.name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }
  automount_service_account_token = false
}

resource "kubernetes_deployment_v1" "this" {
  #checkov:skip=CKV_K8S_14:The tag comes from var.image, whose validation refuses "latest" and a missing tag; checkov cannot see the value through the module call.
  #checkov:skip=CKV_K8S_43:The image comes from an ECR repository with immutable tags, so the tag names one digest for good; a digest here would tie the configuration to one push.
  metadata {
    name      = var.name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  spec {
    replicas               = var.replicas
    revision_history_limit = 5

    selector {
      match_labels = local.labels
    }

    strategy {
      type = "RollingUpdate"
      rolling_update {
        max_unavailable = "0"
        max_surge       = "1"
      }
    }

    template {
      metadata {
        labels = local.labels
        annotations = {
          # A new configuration rolls the pods (nginx reads its config at start).
          "checksum/config" = sha256(jsonencode(kubernetes_config_map_v1.this.data))
          # A rotated edge secret rolls the pods too (the hash reveals nothing of the value).
          "checksum/edge-header" = sha256(jsonencode(kubernetes_secret_v1.edge_header.data))
        }
      }

      spec {
        service_account_name             = kubernetes_service_account_v1.this.metadata[0].name
        automount_service_account_token  = false
        termination_grace_period_seconds = 45
        # The sync signals nginx's master to reload (a graceful SIGHUP) when the custom domains change.
        share_process_namespace = true

        security_context {
          run_as_non_root = true
          run_as_user     = 10101
          run_as_group    = 10101
          fs_group        = 10101
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        topology_spread_constraint {
          max_skew           = 1
          topology_key       = "topology.kubernetes.io/zone"
          when_unsatisfiable = "ScheduleAnyway"
          label_selector {
            match_labels = local.labels
          }
        }
        topology_spread_constraint {
          max_skew           = 1
          topology_key       = "kubernetes.io/hostname"
          when_unsatisfiable = "ScheduleAnyway"
          label_selector {
            match_labels = local.labels
          }
        }

        # Copies nginx.conf next to the registry's custom domains before nginx starts.
        init_container {
          name              = "hosts-sync-init"
          image             = var.image
          image_pull_policy = "Always"
          command           = concat(local.sync_command, ["--once", "--conf-from", "/etc/nginx/edge-config/nginx.conf"])

          dynamic "env" {
            for_each = local.sync_env
            content {
              name  = env.key
              value = env.value
            }
          }

          resources {
            requests = {
              cpu    = "10m"
              memory = "64Mi"
            }
            limits = {
              cpu    = "200m"
              memory = "128Mi"
            }
          }

          security_context {
            allow_privilege_escalation = false
            privileged                 = false
            read_only_root_filesystem  = true
            run_as_non_root            = true
            run_as_user                = 10101
            capabilities {
              drop = ["ALL"]
            }
            seccomp_profile {
              type = "RuntimeDefault"
            }
          }

          volume_mount {
            name       = "conf"
            mount_path = "/etc/nginx/edge"
          }
          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
          volume_mount {
            name       = "config"
            mount_path = "/etc/nginx/edge-config"
            read_only  = true
          }
        }

        # Keeps tenants.map as the registry has it; nginx reloads when it changes.
        container {
          name              = "hosts-sync"
          image             = var.image
          image_pull_policy = "Always"
          command           = concat(local.sync_command, ["--sync-interval", "5"])

          dynamic "env" {
            for_each = local.sync_env
            content {
              name  = env.key
              value = env.value
            }
          }

          resources {
            requests = {
              cpu    = "10m"
              memory = "64Mi"
            }
            limits = {
              cpu    = "200m"
              memory = "128Mi"
            }
          }

          security_context {
            allow_privilege_escalation = false
            privileged                 = false
            read_only_root_filesystem  = true
            run_as_non_root            = true
            run_as_user                = 10101
            capabilities {
              drop = ["ALL"]
            }
            seccomp_profile {
              type = "RuntimeDefault"
            }
          }

          # Live and ready while the map nginx reads is there (the init container wrote it first).
          liveness_probe {
            exec {
              command = ["/usr/bin/test", "-s", "/etc/nginx/edge/tenants.map"]
            }
            period_seconds    = 30
            failure_threshold = 3
          }
          readiness_probe {
            exec {
              command = ["/usr/bin/test", "-s", "/etc/nginx/edge/tenants.map"]
            }
            period_seconds = 10
          }

          volume_mount {
            name       = "conf"
            mount_path = "/etc/nginx/edge"
          }
          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
        }

        container {
          name              = "nginx"
          image             = var.image
          image_pull_policy = "Always"
          # The image's entrypoint is nginx; its state (pid, temp files) lives in the /tmp volume.
          args = ["-p", "/tmp/", "-c", "/etc/nginx/edge/nginx.conf"]

          port {
            name           = "http"
            container_port = 8080
          }
          port {
            name           = "redirect"
            container_port = 8081
          }

          resources {
            requests = {
              cpu    = var.resources.cpu_request
              memory = var.resources.memory_request
            }
            limits = {
              cpu    = var.resources.cpu_limit
              memory = var.resources.memory_limit
            }
          }

          security_context {
            allow_privilege_escalation = false
            privileged                 = false
            read_only_root_filesystem  = true
            run_as_non_root            = true
            run_as_user                = 10101
            capabilities {
              drop = ["ALL"]
            }
            seccomp_profile {
              type = "RuntimeDefault"
            }
          }

          # The NLB keeps sending for a few seconds after a pod is marked terminating; nginx then
          # gets SIGQUIT (the image's stop signal) and finishes in-flight requests.
          lifecycle {
            pre_stop {
              exec {
                command = ["/bin/sleep", "15"]
              }
            }
          }

          liveness_probe {
            http_get {
              path = "/healthz"
              port = "http"
            }
            period_seconds    = 10
            failure_threshold = 3
          }

          readiness_probe {
            http_get {
              path = "/healthz"
              port = "http"
            }
            period_seconds    = 5
            failure_threshold = 2
          }

          volume_mount {
            name       = "conf"
            mount_path = "/etc/nginx/edge"
            read_only  = true
          }
          volume_mount {
            name       = "edge-header"
            mount_path = "/etc/nginx/edge-secret"
            read_only  = true
          }
          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
        }

        volume {
          name = "config"
          config_map {
            name = kubernetes_config_map_v1.this.metadata[0].name
          }
        }
        volume {
          name = "edge-header"
          secret {
            secret_name  = kubernetes_secret_v1.edge_header.metadata[0].name
            default_mode = "0440"
          }
        }
        volume {
          name = "tmp"
          empty_dir {
            medium     = "Memory"
            size_limit = "64Mi"
          }
        }
        # nginx.conf and tenants.map (10,000 custom domains are ~0.4 MB), written by the sync.
        volume {
          name = "conf"
          empty_dir {
            medium     = "Memory"
            size_limit = "16Mi"
          }
        }
      }
    }
  }

  lifecycle {
    # The autoscaler owns the replica count once it runs.
    ignore_changes = [spec[0].replicas]
  }
}

# Ingress on the nginx port only; egress to DNS and HTTPS (the API Gateway stage) only.  Enforced by
# the VPC CNI's network policy agent (enabled on the eks module's vpc-cni add-on).
resource "kubernetes_network_policy_v1" "this" {
  metadata {
    name      = var.name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  spec {
    pod_selector {
      match_labels = local.labels
    }
    policy_types = ["Ingress", "Egress"]

    ingress {
      ports {
        port     = "8080"
        protocol = "TCP"
      }
      ports {
        port     = "8081"
        protocol = "TCP"
      }
    }

    egress {
      ports {
        port     = "53"
        protocol = "UDP"
      }
      ports {
        port     = "53"
        protocol = "TCP"
      }
    }

    egress {
      ports {
        port     = "443"
        protocol = "TCP"
      }
    }

    # The EKS Pod Identity agent on the node (link-local), where the sync gets its credentials.
    egress {
      to {
        ip_block {
          cidr = "169.254.170.23/32"
        }
      }
      ports {
        port     = "80"
        protocol = "TCP"
      }
    }
  }
}

resource "kubernetes_service_v1" "this" {
  metadata {
    name      = var.name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
    annotations = {
      "service.beta.kubernetes.io/aws-load-balancer-type"                              = "nlb"
      "service.beta.kubernetes.io/aws-load-balancer-scheme"                            = "internet-facing"
      "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled" = "true"
      # TLS ends at the NLB with the ACM certificate (in-tree AWS cloud provider and the AWS Load
      # Balancer Controller both read these); 443 goes to nginx's API/page port, 80 to its redirect.
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"               = var.certificate_arn
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports"              = "https"
      "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy" = "ELBSecurityPolicy-TLS13-1-2-2021-06"
      "service.beta.kubernetes.io/aws-load-balancer-backend-protocol"       = "tcp"
    }
  }

  spec {
    type = "LoadBalancer"
    # Keeps the client's address, which nginx's per-address rate limit keys on.
    external_traffic_policy = "Local"
    selector                = local.labels

    port {
      name        = "https"
      port        = 443
      target_port = "http"
      protocol    = "TCP"
    }
    port {
      name        = "http"
      port        = 80
      target_port = "redirect"
      protocol    = "TCP"
    }
  }

  wait_for_load_balancer = true
}

resource "kubernetes_pod_disruption_budget_v1" "this" {
  metadata {
    name      = var.name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  spec {
    min_available = "1"
    selector {
      match_labels = local.labels
    }
  }
}

resource "kubernetes_horizontal_pod_autoscaler_v2" "this" {
  metadata {
    name      = var.name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  spec {
    min_replicas = var.replicas
    max_replicas = var.max_replicas

    scale_target_ref {
      api_version = "apps/v1"
      kind        = "Deployment"
      name        = kubernetes_deployment_v1.this.metadata[0].name
    }

    metric {
      type = "Resource"
      resource {
        name = "cpu"
        target {
          type                = "Utilization"
          average_utilization = var.target_cpu_utilization
        }
      }
    }
  }
}
