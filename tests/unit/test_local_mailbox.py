"""The local mailbox: SES templated mail that moto keeps unrendered is rendered like SES does."""

import json

import boto3

from local.mailbox import read_mailbox, render
from local.testing import moto_server


def test_render_handlebars_subset():
    data = {"nombre": "Ana <b>", "empresa": {"nit": "900"}, "items": ["a", "b"], "vacio": [], "si": True}
    assert render("Hola {{nombre}} / {{ empresa.nit }}", data) == "Hola Ana <b> / 900"
    assert render("<p>{{nombre}}</p>{{{nombre}}}", data, escape=True) == "<p>Ana &lt;b&gt;</p>Ana <b>"
    assert render("{{#if si}}yes{{else}}no{{/if}}|{{#if falta}}yes{{else}}no{{/if}}", data) == "yes|no"
    assert render("{{#unless falta}}u{{/unless}}", data) == "u"
    assert render("{{#each items}}[{{this}}]{{/each}}{{#each vacio}}x{{else}}none{{/each}}", data) == "[a][b]none"
    assert render("{{#with empresa}}{{nit}}{{/with}}", data) == "900"
    assert render("{{missing}}.", data) == "."
    assert render(None, data) is None


def test_read_mailbox_renders_templated_and_simple_mail():
    with moto_server() as endpoint:
        ses = boto3.client(
            "ses",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        ses.verify_email_identity(EmailAddress="from@example.com")
        ses.create_template(
            Template={
                "TemplateName": "t-welcome",
                "SubjectPart": "Hola {{nombre}}",
                "TextPart": "Entre a {{enlace}}",
                "HtmlPart": "<a href='{{enlace}}'>x</a>",
            }
        )
        ses.send_templated_email(
            Source="from@example.com",
            Destination={"ToAddresses": ["a@example.com"]},
            Template="t-welcome",
            TemplateData=json.dumps({"nombre": "Ana", "enlace": "http://x/?a=1&b=2"}),
        )
        ses.send_email(
            Source="from@example.com",
            Destination={"ToAddresses": ["b@example.com"]},
            Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "plain"}}},
        )
        mails = read_mailbox()
        assert len(mails) == 2
        templated = read_mailbox(to="A@example.com")
        assert len(templated) == 1
        mail = templated[0]
        assert mail["subject"] == "Hola Ana" and mail["text"] == "Entre a http://x/?a=1&b=2"
        assert mail["html"] == "<a href='http://x/?a=1&amp;b=2'>x</a>"
        assert mail["from"] == "from@example.com" and mail["template"] == "t-welcome"
        assert read_mailbox(to="b@example.com")[0]["text"] == "plain"
