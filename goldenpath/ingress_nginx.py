"""Which ingress-nginx annotations a tenant's or a preview's Ingress may carry: facts read from the controller's
source, and the rules goldenpath's admission policy ``goldenpath-tenant-ingress-annotations`` builds from them.
No jsii and no goldenpath imports here: the configuration validates against these facts.

Facts (kubernetes/ingress-nginx, tag controller-v1.15.1): every annotation the controller reads is declared in
``internal/ingress/annotations/*/main.go`` with a risk (``parser.AnnotationRiskLow`` .. ``Critical``) and, for
two of them, older aliases (``whitelist-source-range``, ``limit-whitelist``); ``docs/user-guide/nginx-configuration/
annotations-risk.md`` lists the same 136 names and risks. The controller refuses an Ingress whose annotations
are riskier than its ``annotations-risk-level`` (``parser.CheckAnnotationRisk``), and that level defaults to
``High`` (``docs/user-guide/nginx-configuration/configmap.md``): out of the box it accepts every High
annotation, among them

* ``server-alias``: adds names, regular expressions included, to the Ingress's server; the controller drops an
  alias only when another server already has that exact host (``internal/ingress/controller/controller.go``,
  ``createServers``), so ``~.*`` takes every host no Ingress names, the catch-all included, past the
  ``goldenpath-tenant-ingress-hosts`` policy;
* ``auth-url``, ``auth-signin``, ``mirror-target``, ``mirror-host``: the controller, which every tenant's
  NetworkPolicy admits and whose egress goldenpath does not limit, sends requests to an address the tenant names.

goldenpath does not install the controller, so it does not rely on its settings: in a tenant namespace an
Ingress may carry the controller's Low and Medium annotations only, plus those an environment accepts by name
with a reason (never a Critical one: those are raw nginx configuration). An unknown name under the prefix is
refused too, so a newer controller's annotation waits until these facts are re-read.

Medium annotations that name a Secret or ConfigMap as ``namespace/name`` must name the Ingress's own namespace:
the controller checks that itself only while ``allow-cross-namespace-resources`` is false (its default), and
never for ``custom-headers`` (``internal/ingress/annotations/customheaders/main.go`` reads the ConfigMap by the
key as given).
"""

from __future__ import annotations

INGRESS_NGINX_TAG = "controller-v1.15.1"
# The project is retired (kubernetes/ingress-nginx README.md @ dbb11b9, 2026-03-20, and the Kubernetes blog of
# 2025-11-11 it links): best-effort maintenance until March 2026, then no releases, bug fixes or security fixes.
# controller-v1.15.1 (2026-03-19) is the last release of its newest line; its README's support table lists the
# Kubernetes versions its end-to-end tests passed on. The same README says not to use it in multi-tenant production
# clusters, because whoever creates an Ingress is assumed to administer the cluster: goldenpath's admission
# policies (hosts, annotations, no ExternalName) are what stands between tenants and that assumption.
INGRESS_NGINX_RETIRED = "March 2026"
INGRESS_NGINX_TESTED_KUBERNETES = ("1.31", "1.32", "1.33", "1.34", "1.35")
ANNOTATION_PREFIX = "nginx.ingress.kubernetes.io/"

RISKS = ("Low", "Medium", "High", "Critical")
ANNOTATIONS_BY_RISK: dict[str, frozenset[str]] = {
    "Low": frozenset({
        "affinity", "affinity-canary-behavior", "auth-always-set-cookie", "auth-keepalive",
        "auth-keepalive-requests", "auth-keepalive-share-vars", "auth-keepalive-timeout", "auth-method",
        "auth-secret-type", "auth-tls-pass-certificate-to-upstream", "auth-tls-verify-depth", "auth-type",
        "backend-protocol", "canary", "canary-weight", "canary-weight-total", "client-body-buffer-size",
        "connection-proxy-header", "cors-allow-credentials", "cors-max-age", "custom-http-errors",
        "default-backend", "disable-proxy-intercept-errors", "enable-access-log", "enable-cors",
        "enable-global-auth", "enable-modsecurity", "enable-opentelemetry", "enable-owasp-core-rules",
        "enable-rewrite-log", "from-to-www-redirect", "http2-push-preload", "limit-allowlist",
        "limit-burst-multiplier", "limit-connections", "limit-rate", "limit-rate-after", "limit-rpm", "limit-rps",
        "limit-whitelist", "load-balance", "mirror-request-body", "opentelemetry-trust-incoming-span",
        "permanent-redirect-code", "proxy-buffer-size", "proxy-buffering", "proxy-buffers-number",
        "proxy-busy-buffers-size", "proxy-connect-timeout", "proxy-http-version", "proxy-max-temp-file-size",
        "proxy-next-upstream-timeout", "proxy-next-upstream-tries", "proxy-read-timeout", "proxy-request-buffering",
        "proxy-send-timeout", "proxy-ssl-protocols", "proxy-ssl-server-name", "proxy-ssl-verify",
        "proxy-ssl-verify-depth", "relative-redirects", "satisfy", "service-upstream",
        "session-cookie-change-on-failure", "session-cookie-conditional-samesite-none", "session-cookie-samesite",
        "session-cookie-secure", "ssl-ciphers", "ssl-passthrough", "ssl-prefer-server-ciphers", "ssl-redirect",
        "temporal-redirect-code", "upstream-hash-by-subset", "upstream-hash-by-subset-size", "upstream-vhost",
        "use-port-in-redirects", "use-regex"
    }),
    "Medium": frozenset({
        "affinity-mode", "allowlist-source-range", "app-root", "auth-cache-duration", "auth-cache-key",
        "auth-proxy-set-headers", "auth-realm", "auth-request-redirect", "auth-response-headers", "auth-secret",
        "auth-signin-redirect-param", "auth-tls-secret", "auth-tls-verify-client", "canary-by-cookie",
        "canary-by-header", "canary-by-header-pattern", "canary-by-header-value", "cors-allow-headers",
        "cors-allow-methods", "cors-allow-origin", "cors-expose-headers", "custom-headers", "denylist-source-range",
        "fastcgi-index", "fastcgi-params-configmap", "force-ssl-redirect", "opentelemetry-operation-name",
        "permanent-redirect", "preserve-trailing-slash", "proxy-body-size", "proxy-cookie-domain",
        "proxy-cookie-path", "proxy-next-upstream", "proxy-redirect-from", "proxy-redirect-to", "proxy-ssl-ciphers",
        "proxy-ssl-secret", "rewrite-target", "session-cookie-domain", "session-cookie-expires",
        "session-cookie-max-age", "session-cookie-name", "session-cookie-path", "temporal-redirect",
        "whitelist-source-range", "x-forwarded-prefix"
    }),
    "High": frozenset({
        "auth-signin", "auth-tls-error-page", "auth-tls-match-cn", "auth-url", "mirror-host", "mirror-target",
        "modsecurity-transaction-id", "proxy-ssl-name", "server-alias", "upstream-hash-by"
    }),
    "Critical": frozenset({
        "auth-snippet", "configuration-snippet", "modsecurity-snippet", "server-snippet", "stream-snippet"
    }),
}
RISK_OF: dict[str, str] = {name: risk for risk, names in ANNOTATIONS_BY_RISK.items() for name in names}

# Accepted without a reason; refused whatever the reason.
ACCEPTED_RISKS = frozenset({"Low", "Medium"})
REFUSED_RISKS = frozenset({"Critical"})

# Values of the form namespace/name (a Secret or a ConfigMap), read with cache.SplitMetaNamespaceKey: a value
# without a slash means the Ingress's own namespace.
NAMESPACED_REFERENCES = ("auth-proxy-set-headers", "auth-secret", "auth-tls-secret", "custom-headers",
                         "fastcgi-params-configmap", "proxy-ssl-secret")


def acceptance_problem(name: str) -> str | None:
    """Why an environment may not accept the annotation ``name`` (without the prefix) by name, or None."""
    risk = RISK_OF.get(name)
    if risk is None:
        return f"an annotation ingress-nginx {INGRESS_NGINX_TAG} defines (without the {ANNOTATION_PREFIX} prefix)"
    if risk in REFUSED_RISKS:
        return (f"an annotation below Critical risk ({name} is Critical at ingress-nginx {INGRESS_NGINX_TAG}: raw nginx "
                "configuration, never accepted in a tenant namespace)")
    if risk in ACCEPTED_RISKS:
        return f"a High-risk annotation ({name} is {risk} at ingress-nginx {INGRESS_NGINX_TAG}: accepted already)"
    return None


def accepted_annotations(accepted_by_name: tuple[str, ...] = ()) -> list[str]:
    """Every annotation key a tenant namespace's Ingress may carry under the prefix, sorted."""
    for name in accepted_by_name:
        problem = acceptance_problem(name)
        if problem is not None:
            raise ValueError(f"ingress annotation {name!r}: expected {problem}")
    names = {name for name, risk in RISK_OF.items() if risk in ACCEPTED_RISKS} | set(accepted_by_name)
    return sorted(ANNOTATION_PREFIX + name for name in names)


def ingress_annotations_line(environment: str, accepted_by_name: dict[str, str]) -> str:
    """One `validate` line: which ingress-nginx annotations tenants' and previews' Ingresses may carry."""
    line = (f"ingress annotations: {environment} tenants and previews may set ingress-nginx's Low and Medium risk "
            f"annotations ({INGRESS_NGINX_TAG})")
    if not accepted_by_name:
        return line + " only"
    return line + " and, by name: " + "; ".join(
        f"{name} ({RISK_OF[name]}: {reason})" for name, reason in sorted(accepted_by_name.items()))


def ingress_controller_line(environment: str, kubernetes_version: str) -> str:
    """One `validate` line: the controller goldenpath's Ingress policies are written for, and where it stands."""
    tested = INGRESS_NGINX_TESTED_KUBERNETES
    fit = f"tested on Kubernetes {tested[0]}-{tested[-1]}"
    if kubernetes_version not in tested:
        fit += f", not {kubernetes_version}"
    return (f"ingress controller: {environment} (Kubernetes {kubernetes_version}): goldenpath's Ingress policies are "
            f"written for ingress-nginx, retired upstream in {INGRESS_NGINX_RETIRED} ({INGRESS_NGINX_TAG}, its newest "
            f"line's last release: no security fixes since; {fit}); plan a maintained controller (docs/tenancy.md)")
