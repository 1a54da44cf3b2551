def pytest_addoption(parser):
    parser.addoption('--site', default=None,
                     help='test this already built site folder instead of building one with tools/build_docs.py')
