"""The local runtime serves the API stage the CDK app hands the functions as PUBLIC_API_BASE_URL (decision 0054):
the stage URL AWS would give the template's RestApi resolves to the local API's URL."""

from local.template import Template

STAGE_URL = {
    "Fn::Join": [
        "",
        ["https://", {"Ref": "Api"}, ".execute-api.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}, "/dev"],
    ]
}


def template() -> Template:
    resources = {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "sat-ccf-dev-api"}},
        "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": {"StageName": "dev", "RestApiId": {"Ref": "Api"}}},
    }
    return Template(doc={"Resources": resources}, stack_name="SatCcf-dev", region="us-east-1")


def test_the_stage_url_points_at_the_local_api() -> None:
    t = template()
    aws_url = t.resolve(STAGE_URL)
    assert aws_url == "https://sat-ccf-dev-api.execute-api.us-east-1.amazonaws.com/dev"
    assert t.localize(aws_url) == aws_url  # not served yet: unchanged
    t.api_url = "http://127.0.0.1:3000"
    assert t.localize(aws_url) == "http://127.0.0.1:3000"
    assert t.localize(aws_url + "/sat/solicitud-afiliacion") == "http://127.0.0.1:3000/sat/solicitud-afiliacion"
    assert t.localize(aws_url + "x") == aws_url + "x"  # another stage's name is not this one
    assert t.localize("https://portal.example") == "https://portal.example"
