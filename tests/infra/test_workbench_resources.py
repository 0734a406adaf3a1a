"""The workbench's AWS resources in template.yaml: a private bucket only its CloudFront
distribution reads (origin access control), the app and the API behind one origin, the API's
requests never cached and sent with the viewer's credentials, and the CSP the local stack serves."""

from __future__ import annotations

import pytest

from infra.local.site import content_security_policy
from tests.support.environment import ROOT

pytestmark = pytest.mark.infra
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


@pytest.fixture(scope="module")
def template() -> dict:
    from infra.local.cfn import load_yaml

    return load_yaml((ROOT / "template.yaml").read_text())


def test_the_bucket_is_private_and_read_only_by_the_distribution(template):
    resources = template["Resources"]
    block = resources["WorkbenchBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(block[k] is True for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                                          "RestrictPublicBuckets"))
    statements = resources["WorkbenchBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    [read] = [s for s in statements if s["Effect"] == "Allow"]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"} and read["Action"] == "s3:GetObject"
    assert "${WorkbenchDistribution}" in read["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    oac = resources["WorkbenchOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"]) == ("s3", "always")


def test_one_origin_serves_the_app_and_sends_the_api_uncached_with_the_viewers_headers(template):
    config = template["Resources"]["WorkbenchDistribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    assert origins["workbench"]["OriginAccessControlId"] == {"Fn::GetAtt": ["WorkbenchOriginAccessControl", "Id"]}
    assert "${AftersalesApi}.execute-api" in origins["api"]["DomainName"]["Fn::Sub"]
    assert config["DefaultCacheBehavior"]["TargetOriginId"] == "workbench"
    [api] = config["CacheBehaviors"]
    stage = template["Resources"]["AftersalesApi"]["Properties"]["StageName"]
    assert api["PathPattern"] == f"/{stage}/*" and api["TargetOriginId"] == "api"
    assert (api["CachePolicyId"], api["OriginRequestPolicyId"]) == (CACHING_DISABLED, ALL_VIEWER_EXCEPT_HOST)
    assert {"POST", "PUT", "DELETE"} <= set(api["AllowedMethods"])


def test_aws_sends_the_same_content_security_policy_as_the_local_stack(template):
    policy = template["Resources"]["WorkbenchSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    csp = policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    # the same policy; images also from the media bucket's own origins (its presigned thumbnails)
    assert csp == {"Fn::Sub": content_security_policy(
        ("https://${MediaBucket.DomainName}", "https://${MediaBucket.RegionalDomainName}"))}
    outputs = template["Outputs"]
    assert {"WorkbenchUrl", "WorkbenchBucketName", "WorkbenchDistributionId", "ProviderPageUrl"} <= set(outputs)
    # the provider's page is a file of the same build: same bucket, distribution and headers
    assert outputs["ProviderPageUrl"]["Value"] == {
        "Fn::Sub": "https://${WorkbenchDistribution.DomainName}/workbench/provider.html"}
