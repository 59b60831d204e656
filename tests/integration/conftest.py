from tests.s3_server import s3_server  # noqa: F401 - the fixture
from tests.workers import real_worker  # noqa: F401 - the fixture
