from tests.workers import real_worker  # noqa: F401 - the fixture
