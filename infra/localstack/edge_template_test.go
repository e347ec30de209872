package localstack_test

import (
	"slices"
	"testing"

	"github.com/topsmile/topsmile/shared/httpapi"
)

// Only CloudFront reaches the API, behind a WAF web ACL with per-IP rate
// limits, and adds the origin secret the functions check before they
// believe CloudFront-Viewer-Address.
func TestTemplateEdge(t *testing.T) {
	tpl := loadTemplate(t)
	raw := rawTemplate(t)
	res := func(id string, path ...string) any { return dig(raw, append([]string{"Resources", id}, path...)...) }

	t.Run("the execute-api endpoint is disabled; the API has its own domain", func(t *testing.T) {
		apis := tpl.Raw.GetAllServerlessHttpApiResources()
		if len(apis) == 0 {
			t.Fatal("no HttpApi")
		}
		for id, api := range apis {
			if api.DisableExecuteApiEndpoint == nil || !*api.DisableExecuteApiEndpoint {
				t.Errorf("%s: DisableExecuteApiEndpoint must be true (the default endpoint bypasses CloudFront and WAF)", id)
			}
		}
		maps := tpl.Raw.GetAllApiGatewayV2ApiMappingResources()
		if m, ok := maps["ApiOriginMapping"]; !ok || res("ApiOriginMapping", "Properties", "ApiId") != "HttpApi" ||
			res("ApiOriginMapping", "Properties", "DomainName") != "ApiOriginDomain" || m.Stage != "$default" {
			t.Errorf("ApiOriginMapping must map HttpApi's $default stage to ApiOriginDomain: %v", res("ApiOriginMapping"))
		}
		if _, ok := tpl.Raw.GetAllApiGatewayV2DomainNameResources()["ApiOriginDomain"]; !ok || res("ApiOriginDomain", "Properties", "DomainName") != "ApiDomainName" {
			t.Errorf("ApiOriginDomain must be the domain ApiDomainName")
		}
	})

	origins, _ := res("Distribution", "Properties", "DistributionConfig", "Origins").([]any)
	var apiOrigin any
	for _, o := range origins {
		if dig(o, "Id") == "HttpApiOrigin" {
			apiOrigin = o
		}
	}
	var secret any
	t.Run("CloudFront's API origin is that domain and carries the origin secret", func(t *testing.T) {
		if dig(apiOrigin, "DomainName") != "ApiDomainName" {
			t.Errorf("HttpApiOrigin's DomainName = %v, want !Ref ApiDomainName", dig(apiOrigin, "DomainName"))
		}
		headers, _ := dig(apiOrigin, "OriginCustomHeaders").([]any)
		for _, h := range headers {
			if dig(h, "HeaderName") == httpapi.HeaderOriginSecret {
				secret = dig(h, "HeaderValue")
			}
		}
		if secret != "{{resolve:secretsmanager:topsmile/${Stage}/origin:SecretString:secret}}" {
			t.Errorf("origin header %s = %v, want the Secrets Manager dynamic reference", httpapi.HeaderOriginSecret, secret)
		}
		behaviours, _ := res("Distribution", "Properties", "DistributionConfig", "CacheBehaviors").([]any)
		for _, b := range behaviours {
			// Managed-AllViewerExceptHostHeader forwards CloudFront-Viewer-Address.
			if dig(b, "TargetOriginId") == "HttpApiOrigin" && dig(b, "OriginRequestPolicyId") != "b689b0a8-53d0-40ab-baf2-68738e2966ac" {
				t.Errorf("the API behaviour's origin request policy %v does not forward CloudFront-Viewer-Address", dig(b, "OriginRequestPolicyId"))
			}
		}
	})

	t.Run("every guarded function reads the same secret", func(t *testing.T) {
		n := 0
		for id := range tpl.Functions {
			vars, _ := res(id, "Properties", "Environment", "Variables").(map[string]any)
			if _, guarded := vars["JWT_KEYS"]; !guarded {
				continue
			}
			n++
			if vars["ORIGIN_SECRET"] != secret {
				t.Errorf("%s: ORIGIN_SECRET = %v, want the origin header's %v", id, vars["ORIGIN_SECRET"], secret)
			}
		}
		if n == 0 {
			t.Error("no guarded functions")
		}
	})

	t.Run("a CLOUDFRONT web ACL with per-IP rate limits is on the distribution", func(t *testing.T) {
		acl, ok := tpl.Raw.GetAllWAFv2WebACLResources()["WebAcl"]
		if !ok {
			t.Fatal("no WebAcl (AWS::WAFv2::WebACL)")
		}
		if acl.Scope != "CLOUDFRONT" {
			t.Errorf("WebAcl Scope = %q, want CLOUDFRONT", acl.Scope)
		}
		rated := 0
		for _, r := range acl.Rules {
			if rb := r.Statement.RateBasedStatement; rb != nil && rb.AggregateKeyType == "IP" && rb.Limit > 0 &&
				r.Action != nil && r.Action.Block != nil && r.Action.Block.CustomResponse != nil && r.Action.Block.CustomResponse.ResponseCode == 429 {
				rated++
			}
		}
		if rated == 0 {
			t.Errorf("WebAcl has no per-IP rate-based rule answering 429: %+v", acl.Rules)
		}
		// The stack's own ACL, or the one passed in (created in us-east-1).
		if got, _ := res("Distribution", "Properties", "DistributionConfig", "WebACLId").([]any); !slices.Equal(got, []any{"CreateWebAcl", "WebAcl.Arn", "WebAclArn"}) {
			t.Errorf("Distribution WebACLId = %v, want !If [CreateWebAcl, !GetAtt WebAcl.Arn, !Ref WebAclArn]", got)
		}
		if acl.AWSCloudFormationCondition != "CreateWebAcl" {
			t.Errorf("WebAcl Condition = %q, want CreateWebAcl", acl.AWSCloudFormationCondition)
		}
		// Created here only in us-east-1: the Rules section says so before
		// a change set starts.
		assert, _ := dig(raw, "Rules", "WebAclInUsEast1", "Assertions").([]any)
		if len(assert) != 1 || !slices.Equal(dig(assert[0], "Assert").([]any), []any{"AWS::Region", "us-east-1"}) {
			t.Errorf("Rules.WebAclInUsEast1 must assert the region is us-east-1 when the stack creates the ACL: %v", dig(raw, "Rules"))
		}
	})
}
