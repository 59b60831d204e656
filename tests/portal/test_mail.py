from email import message_from_bytes

from django.core.mail import EmailMultiAlternatives

from portal.mail import EmlFolderBackend


def test_each_message_becomes_one_eml_file_a_mail_program_can_open(tmp_path):
    backend = EmlFolderBackend(folder=str(tmp_path / "mail"))
    first = EmailMultiAlternatives("Hello", "Plain text", "privacy@localhost", ["alice@example.com"])
    first.attach_alternative("<p>HTML</p>", "text/html")
    second = EmailMultiAlternatives("Again", "More", "privacy@localhost", ["bob@example.com"])
    assert backend.send_messages([first, second]) == 2
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    parsed = [message_from_bytes(path.read_bytes()) for path in files]
    assert {message["To"] for message in parsed} == {"alice@example.com", "bob@example.com"}
    assert any(message.is_multipart() for message in parsed)
