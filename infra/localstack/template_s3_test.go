package localstack_test

import (
	"slices"
	"testing"
)

// The documents bucket is private, encrypted, versioned and owned by the
// account; browsers reach it only from the SPA's origin with PUT and GET;
// the clinical function may only put, get and delete objects under
// clinics/, and is told the bucket's name.
func TestTemplateDocumentsBucket(t *testing.T) {
	tpl := loadTemplate(t)
	raw := rawTemplate(t)
	b, err := tpl.Raw.GetS3BucketWithName("DocumentsBucket")
	if err != nil {
		t.Fatal(err)
	}
	on := func(p *bool) bool { return p != nil && *p }

	t.Run("private", func(t *testing.T) {
		pab := b.PublicAccessBlockConfiguration
		if pab == nil || !on(pab.BlockPublicAcls) || !on(pab.BlockPublicPolicy) || !on(pab.IgnorePublicAcls) || !on(pab.RestrictPublicBuckets) {
			t.Errorf("PublicAccessBlockConfiguration %+v: want all four true", pab)
		}
		if oc := b.OwnershipControls; oc == nil || len(oc.Rules) != 1 || oc.Rules[0].ObjectOwnership == nil || *oc.Rules[0].ObjectOwnership != "BucketOwnerEnforced" {
			t.Errorf("OwnershipControls: want BucketOwnerEnforced (no ACLs)")
		}
	})
	t.Run("encrypted and versioned", func(t *testing.T) {
		enc := b.BucketEncryption
		if enc == nil || len(enc.ServerSideEncryptionConfiguration) == 0 || enc.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault == nil ||
			!slices.Contains([]string{"AES256", "aws:kms", "aws:kms:dsse"}, enc.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm) {
			t.Errorf("BucketEncryption: want SSE by default")
		}
		if v := b.VersioningConfiguration; v == nil || v.Status != "Enabled" {
			t.Errorf("VersioningConfiguration: want Enabled")
		}
	})
	t.Run("lifecycle", func(t *testing.T) {
		var abort, noncurrent bool
		if b.LifecycleConfiguration != nil {
			for _, r := range b.LifecycleConfiguration.Rules {
				if r.Status != "Enabled" {
					continue
				}
				if a := r.AbortIncompleteMultipartUpload; a != nil && a.DaysAfterInitiation == 1 {
					abort = true
				}
				if n := r.NoncurrentVersionExpiration; n != nil && n.NoncurrentDays > 0 && n.NoncurrentDays <= 90 {
					noncurrent = true
				}
			}
		}
		if !abort || !noncurrent {
			t.Errorf("lifecycle: abort incomplete uploads after 1 day (%v), expire noncurrent versions (%v)", abort, noncurrent)
		}
	})
	t.Run("CORS: PUT and GET from the SPA only", func(t *testing.T) {
		rules, _ := dig(raw, "Resources", "DocumentsBucket", "Properties", "CorsConfiguration", "CorsRules").([]any)
		if len(rules) != 1 {
			t.Fatalf("CorsRules %v: want one rule", rules)
		}
		var methods []string
		for _, m := range dig(rules[0], "AllowedMethods").([]any) {
			methods = append(methods, m.(string))
		}
		slices.Sort(methods)
		if !slices.Equal(methods, []string{"GET", "PUT"}) {
			t.Errorf("AllowedMethods %v", methods)
		}
		origins, _ := dig(rules[0], "AllowedOrigins").([]any)
		if len(origins) != 1 || origins[0] != "https://${Distribution.DomainName}" {
			t.Errorf("AllowedOrigins %v: want only the distribution's origin", origins)
		}
	})
	t.Run("the clinical function's access", func(t *testing.T) {
		fn := dig(raw, "Resources", "ClinicalFunction", "Properties")
		if v := dig(fn, "Environment", "Variables", "S3_BUCKET"); v != "DocumentsBucket" {
			t.Errorf("S3_BUCKET = %v, want !Ref DocumentsBucket", v)
		}
		policies, _ := dig(fn, "Policies").([]any)
		var actions []string
		for _, p := range policies {
			stmts, _ := dig(p, "Statement").([]any)
			for _, s := range stmts {
				acts, _ := dig(s, "Action").([]any)
				for _, a := range acts {
					if a, _ := a.(string); len(a) > 3 && a[:3] == "s3:" {
						if res := dig(s, "Resource"); res != "arn:aws:s3:::${DocumentsBucket}/clinics/*" {
							t.Errorf("%s on %v: want only clinics/* of the bucket", a, res)
						}
						actions = append(actions, a)
					}
				}
			}
		}
		slices.Sort(actions)
		if !slices.Equal(actions, []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}) {
			t.Errorf("S3 actions %v: want exactly put, get and delete object", actions)
		}
	})
}
