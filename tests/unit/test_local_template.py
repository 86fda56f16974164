"""The local runtime's intrinsic-function resolver, on hand-made templates."""

import pytest

from local.template import Template, TemplateError


def make(resources=None, **doc) -> Template:
    return Template(doc={"Resources": resources or {}, **doc}, stack_name="Stack-dev", region="eu-west-1")


def test_pseudo_parameters_and_parameter_defaults():
    t = make(Parameters={"Size": {"Type": "Number", "Default": 3}})
    assert t.resolve({"Ref": "AWS::Region"}) == "eu-west-1"
    assert t.resolve({"Ref": "AWS::AccountId"}) == "123456789012"
    assert t.resolve({"Ref": "AWS::Partition"}) == "aws"
    assert t.resolve({"Ref": "AWS::URLSuffix"}) == "amazonaws.com"
    assert t.resolve({"Ref": "AWS::StackName"}) == "Stack-dev"
    assert t.resolve({"Ref": "Size"}) == 3


def test_ref_and_get_att_use_recorded_values_then_names():
    t = make(
        {
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "explicit"}},
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
        }
    )
    assert t.resolve({"Ref": "Table"}) == "explicit"
    assert t.physical_name("Queue") == "Stack-dev-Queue"
    assert t.resolve({"Fn::GetAtt": ["Fn", "Arn"]}) == "arn:aws:lambda:eu-west-1:123456789012:function:Stack-dev-Fn"
    t.set_attrs("Queue", Ref="http://127.0.0.1:1/123456789012/q", Arn="arn:aws:sqs:eu-west-1:123456789012:q")
    assert t.resolve({"Ref": "Queue"}) == "http://127.0.0.1:1/123456789012/q"
    assert t.resolve({"Fn::GetAtt": "Queue.Arn"}) == "arn:aws:sqs:eu-west-1:123456789012:q"


def test_join_sub_select_split_base64():
    t = make({"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "my-bucket"}}})
    t.set_attrs("Bucket", Arn="arn:aws:s3:::my-bucket")
    assert (
        t.resolve({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "Bucket"}]]})
        == "arn:aws:s3:::my-bucket"
    )
    assert (
        t.resolve({"Fn::Sub": "${Bucket}/${AWS::Region}/${Bucket.Arn}/${!Literal}"})
        == "my-bucket/eu-west-1/arn:aws:s3:::my-bucket/${Literal}"
    )
    assert t.resolve({"Fn::Sub": ["${X}-${Bucket}", {"X": {"Ref": "AWS::AccountId"}}]}) == "123456789012-my-bucket"
    assert t.resolve({"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}) == "b"
    assert t.resolve({"Fn::Base64": "hi"}) == "aGk="


def test_conditions_if_and_no_value():
    t = make(
        {"Only": {"Type": "AWS::SQS::Queue", "Condition": "IsProd"}, "Always": {"Type": "AWS::SQS::Queue"}},
        Conditions={
            "IsProd": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]},
            "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
        },
    )
    assert set(t.active_resources()) == {"Always"}
    assert t.resolve({"Fn::If": ["NotProd", "a", "b"]}) == "a"
    assert t.resolve({"A": {"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]}, "B": 2}) == {"B": 2}
    assert t.resolve([1, {"Ref": "AWS::NoValue"}]) == [1]


def test_find_in_map_and_nested_structures():
    t = make(Mappings={"M": {"eu-west-1": {"Size": "10"}}})
    assert t.resolve({"x": [{"Fn::FindInMap": ["M", {"Ref": "AWS::Region"}, "Size"]}]}) == {"x": ["10"]}


def test_unknown_references_fail_loudly():
    t = make({"Fn": {"Type": "AWS::Lambda::Function"}})
    with pytest.raises(TemplateError):
        t.resolve({"Ref": "Missing"})
    with pytest.raises(TemplateError):
        t.resolve({"Fn::GetAtt": ["Fn", "SnapStartResponse"]})
    with pytest.raises(TemplateError):
        t.resolve({"Fn::ImportValue": "Other-Export"})


def test_deterministic_names_respect_service_rules():
    t = make(
        {
            "MyBucketABC123": {"Type": "AWS::S3::Bucket"},
            "Fifo": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": True}},
        }
    )
    assert t.physical_name("MyBucketABC123") == "stack-dev-mybucketabc123"
    assert t.physical_name("Fifo").endswith(".fifo")
