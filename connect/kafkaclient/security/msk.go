package security

import (
	"context"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-msk-iam-sasl-signer-go/signer"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/tributary-cdc/tributary/connect/jaas"
)

// Options of IAMLoginModule (aws-msk-iam-auth's MSKCredentialProvider).
const (
	awsProfileNameOption       = "awsProfileName"
	awsRoleArnOption           = "awsRoleArn"
	awsRoleSessionNameOption   = "awsRoleSessionName"
	awsRoleExternalIDOption    = "awsRoleExternalId"
	awsStsRegionOption         = "awsStsRegion"
	awsDebugCredsOption        = "awsDebugCreds"
	awsMaxRetriesOption        = "awsMaxRetries"
	awsMaxBackOffTimeMsOption  = "awsMaxBackOffTimeMs"
	awsShouldUseFipsOption     = "awsShouldUseFips"
	awsAddDefaultProvidersOpt  = "awsAddDefaultProviders"
	awsRoleAccessKeyIDOption   = "awsRoleAccessKeyId"
	awsRoleSecretAccessKeyOpt  = "awsRoleSecretAccessKey"
	awsRoleSessionTokenOption  = "awsRoleSessionToken"
	awsMskRegionProviderOption = "awsMskRegionProvider"
)

// awsRegionInHost finds an AWS region in a host name, as RegionUtils
// does for MSK broker names (b-1.cluster.abc.c2.kafka.eu-west-1.amazonaws.com).
var awsRegionInHost = regexp.MustCompile(`[a-z]{2}(?:-gov|-iso[a-z]?)?-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-[0-9]+`)

// newIAMProvider is MSK IAM authentication: a token from AWS's Go signer
// (a SigV4-presigned kafka-cluster:Connect request, base64url encoded),
// sent as an OAUTHBEARER token. Credentials come from the standard AWS
// chain (environment, shared files, web identity, container and instance
// roles), a named profile (awsProfileName) or an assumed role (awsRoleArn).
// The region is the one in the bootstrap host names, else the AWS
// configuration's (AWS_REGION, the profile).
func newIAMProvider(p props, m jaas.LoginModule, opts Options, unused map[string]string) (*refreshingProvider, error) {
	o := m.Options
	for _, k := range []string{awsRoleAccessKeyIDOption, awsRoleSecretAccessKeyOpt, awsRoleSessionTokenOption, awsMskRegionProviderOption} {
		if _, ok := o[k]; ok {
			return nil, fail(p, SaslJaasConfig, "the IAMLoginModule option "+k+" is not supported", nil)
		}
	}
	if strings.EqualFold(o[awsShouldUseFipsOption], "true") {
		return nil, fail(p, SaslJaasConfig, "the IAMLoginModule option awsShouldUseFips=true is not supported", nil)
	}
	if strings.EqualFold(o[awsAddDefaultProvidersOpt], "false") {
		return nil, fail(p, SaslJaasConfig, "the IAMLoginModule option awsAddDefaultProviders=false is not supported", nil)
	}
	if strings.EqualFold(o[awsDebugCredsOption], "true") {
		return nil, fail(p, SaslJaasConfig, "the IAMLoginModule option awsDebugCreds=true is not supported", nil)
	}
	profile, role := o[awsProfileNameOption], o[awsRoleArnOption]
	if profile != "" && role != "" {
		return nil, fail(p, SaslJaasConfig, "assuming awsRoleArn with the credentials of awsProfileName is not supported; set one of them", nil)
	}
	refresh, err := parseRefresh(p)
	if err != nil {
		return nil, err
	}
	region := regionOfHosts(opts.Bootstrap)
	if region == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var loadOpts []func(*config.LoadOptions) error
		if profile != "" {
			loadOpts = append(loadOpts, config.WithSharedConfigProfile(profile))
		}
		if cfg, err := config.LoadDefaultConfig(ctx, loadOpts...); err == nil {
			region = cfg.Region
		}
	}
	if region == "" {
		return nil, fail(p, SaslJaasConfig, "cannot tell the AWS region of the cluster: the bootstrap servers' host names name none and AWS_REGION is not set", nil)
	}
	if sts := o[awsStsRegionOption]; sts != "" && sts != region {
		return nil, fail(p, SaslJaasConfig, "an awsStsRegion other than the cluster's region is not supported", nil)
	}
	for k := range o {
		switch k {
		case awsProfileNameOption, awsRoleArnOption, awsRoleSessionNameOption, awsRoleExternalIDOption, awsStsRegionOption,
			awsDebugCredsOption, awsShouldUseFipsOption, awsAddDefaultProvidersOpt:
		case awsMaxRetriesOption, awsMaxBackOffTimeMsOption:
			unused[SaslJaasConfig+" option "+k] = "the AWS SDK retries credential look-ups with its own policy"
		default:
			unused[SaslJaasConfig+" option "+k] = m.Class + " does not read it"
		}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	generate := func(ctx context.Context) (string, int64, error) {
		switch {
		case profile != "":
			return signer.GenerateAuthTokenFromProfile(ctx, region, profile)
		case role != "":
			return signer.GenerateAuthTokenFromRoleWithExternalId(ctx, region, role, o[awsRoleSessionNameOption], o[awsRoleExternalIDOption])
		}
		return signer.GenerateAuthToken(ctx, region)
	}
	return &refreshingProvider{
		source: "the AWS MSK IAM signer (region " + region + ")", refresh: refresh, timeout: defaultTokenTimeout, now: now,
		fetch: func(ctx context.Context) (string, time.Time, time.Time, error) {
			start := now()
			tok, expMs, err := generate(ctx)
			if err != nil {
				return "", time.Time{}, time.Time{}, err
			}
			return tok, start, time.UnixMilli(expMs), nil
		},
	}, nil
}

// regionOfHosts returns the first AWS region named in the hosts.
func regionOfHosts(servers []string) string {
	for _, s := range servers {
		host, _, err := net.SplitHostPort(strings.TrimSpace(s))
		if err != nil {
			host = s
		}
		if r := awsRegionInHost.FindString(strings.ToLower(host)); r != "" {
			return r
		}
	}
	return ""
}
