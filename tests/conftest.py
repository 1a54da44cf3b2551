def pytest_addoption(parser):
    parser.addoption('--site', default=None,
                     help='test this already built site folder instead of building one with tools/build_docs.py')


def pytest_configure(config):
    config.addinivalue_line('markers', "slow: a long test that CI leaves out (tools/test.py passes -m 'not slow'), as the notebooks' `#| slow` cells; "
                                       "run them with: NST_NB_BACKBONE=vgg16-hed python -m pytest -m slow tests")
