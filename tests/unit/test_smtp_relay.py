"""Mail through a relay that wants a login over TLS: STARTTLS, implicit TLS, a wrong password.

The relay is the dev sink's handler behind aiosmtpd with AUTH (PLAIN/LOGIN) and a self-signed
certificate made here with ``cryptography``; ereg trusts it through ``EREG_SMTP_CA_FILE``, as an
operator would a private CA. What the relay stored is what the physician's inbox received.
"""

import asyncio
import datetime
import ipaddress
import logging
import ssl

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from activities.messaging import Deliverer, DeliveryRefused, DevSmsGateway, mailer
from starter.mailsink import StoringHandler
from tests.unit.test_deliveries import EMAIL, activity_env, received

USER, PASSWORD = "ereg-relay", "s3cret-relay-password"
# aiosmtpd cannot tell that a socket is TLS from the first byte, and warns about AUTH without it.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def self_signed(directory) -> tuple[str, str]:
    """(certificate, key) PEM files for ``localhost`` and 127.0.0.1, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "relay.pem", directory / "relay.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


class Relay(StoringHandler):
    """The sink's handler, noting for each message whether it came over TLS and who logged in."""

    def __init__(self, database_url: str) -> None:
        super().__init__(database_url)
        self.seen: list[tuple[bool, bytes | None]] = []
        self.logins: list[bool] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.seen.append((encrypted, session.auth_data))
        return await super().handle_DATA(server, session, envelope)

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        self.logins.append(good)
        return AuthResult(success=good, handled=False, auth_data=auth_data.login if good else None)


async def start_relay(settings, tmp_path, security: str):
    """The relay on ``settings.smtp_port``: (server, handler, CA file)."""
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Relay(settings.database_url)

    def connection() -> SMTP:
        return SMTP(
            handler,
            hostname="relay",
            tls_context=context if security == "starttls" else None,
            require_starttls=security == "starttls",
            authenticator=handler.authenticate,
            auth_required=True,
            # Implicit TLS is invisible to aiosmtpd; the socket below is TLS from the start.
            auth_require_tls=security == "starttls",
        )

    logging.getLogger("mail.log").setLevel(logging.ERROR)  # the warning about the line above
    server = await asyncio.get_running_loop().create_server(
        connection,
        "127.0.0.1",
        settings.smtp_port,
        ssl=context if security == "tls" else None,
    )
    return server, handler, cert


@pytest.fixture(params=["starttls", "tls"])
async def relay(request, settings, tmp_path):
    """(handler, settings pointing at the relay, logged in), for STARTTLS and implicit TLS."""
    server, handler, ca_file = await start_relay(settings, tmp_path, request.param)
    configured = settings.model_copy(
        update={
            "smtp_host": "localhost",
            "smtp_username": USER,
            "smtp_password": PASSWORD,
            "smtp_security": request.param,
            "smtp_ca_file": ca_file,
        }
    )
    yield handler, configured
    server.close()
    await server.wait_closed()


async def test_mail_goes_through_the_relay_logged_in_over_tls(relay):
    handler, settings = relay
    await mailer(settings).send(EMAIL, "验证码 / Code", "您的验证码为 493027")
    [message] = await received(settings, "email", EMAIL)
    assert "493027" in message.body and message.subject == "验证码 / Code"
    assert handler.seen == [(True, USER.encode())]


async def test_a_notice_shares_one_logged_in_connection(relay):
    handler, settings = relay
    deliverer = Deliverer(
        settings.database_url, DevSmsGateway(settings.database_url), mailer(settings), "s"
    )

    def read(connection):
        return ["a@example.cn", "b@example.cn", "c@example.cn"]

    async def notice() -> None:
        async with deliverer.batch(read) as recipients:
            for to in recipients:
                await deliverer.email(to, "ereg", "您的申请已受理")

    await activity_env().run(notice)
    assert handler.logins == [True]  # one login for the three
    assert [encrypted for encrypted, _ in handler.seen] == [True, True, True]


async def test_a_wrong_password_is_refused_clearly_and_not_retried(relay, caplog):
    handler, settings = relay
    wrong = mailer(settings.model_copy(update={"smtp_password": "wrong"}))
    with pytest.raises(DeliveryRefused, match="username or password \\(535\\)"):
        await wrong.send(EMAIL, "ereg", "…")
    # Inside an activity: logged with the step it belonged to, and the retry leaves it.
    deliverer = Deliverer(settings.database_url, DevSmsGateway(settings.database_url), wrong, "s")

    async def notice() -> bool:
        return await deliverer.email(EMAIL, "ereg", "您的申请已受理")

    env = activity_env()
    with caplog.at_level(logging.ERROR):
        assert await env.run(notice) is False
        tried = len(handler.logins)
        assert await env.run(notice) is False  # the activity retried: the relay is left alone
    assert len(handler.logins) == tried and not any(handler.logins)
    assert await received(settings, "email", EMAIL) == []
    [refusal] = [r.getMessage() for r in caplog.records if r.name == "ereg.delivery"]
    assert "EREG_SMTP_PASSWORD" in refusal and PASSWORD not in refusal and EMAIL not in refusal


async def test_an_untrusted_certificate_is_not_accepted(relay):
    handler, settings = relay
    untrusting = mailer(settings.model_copy(update={"smtp_ca_file": None}))
    with pytest.raises(Exception, match="(?i)certificate"):
        await untrusting.send(EMAIL, "ereg", "…")
    assert handler.logins == [] and handler.seen == []


def test_a_password_is_never_sent_in_the_clear(settings):
    with pytest.raises(ValueError, match="EREG_SMTP_SECURITY"):
        mailer(settings.model_copy(update={"smtp_username": USER, "smtp_password": PASSWORD}))
