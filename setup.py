"""Package setup read from `settings.ini`, nbdev 2's single source of metadata (no `pkg_resources`)."""
import shlex
from configparser import ConfigParser

import setuptools

cfg = ConfigParser(delimiters=['='])
cfg.read('settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']

expected = ('version description keywords author author_email license status min_python audience language '
            'lib_name user git_url').split()
missing = [o for o in expected if o not in cfg]
assert not missing, f'settings.ini is missing: {missing}'

licenses = {'mit': 'MIT', 'apache2': 'Apache-2.0'}  # SPDX expressions (license classifiers are deprecated)
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
lic = licenses[cfg['license'].lower()]
min_python = cfg['min_python']
requirements = shlex.split(cfg.get('requirements', ''))
dev_requirements = shlex.split(cfg.get('dev_requirements', ''))
app_requirements = shlex.split(cfg.get('app_requirements', ''))
ray_requirements = shlex.split(cfg.get('ray_requirements', ''))
onnx_requirements = shlex.split(cfg.get('onnx_requirements', ''))
console_scripts = cfg.get('console_scripts', '').split()

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    license=lic,
    classifiers=['Development Status :: ' + statuses[int(cfg['status'])],
                 'Intended Audience :: ' + cfg['audience'].title(),
                 'Natural Language :: ' + cfg['language'].title()] +
                # CI tests with min_python and no other version (.ci/run fails when they differ): the one claimed
                ['Programming Language :: Python :: 3', 'Programming Language :: Python :: ' + min_python],
    url=cfg['git_url'],
    packages=setuptools.find_packages(include=[cfg['lib_name'], cfg['lib_name'] + '.*']),
    include_package_data=True,
    install_requires=requirements,
    extras_require={'dev': dev_requirements, 'app': app_requirements, 'ray': ray_requirements, 'onnx': onnx_requirements},
    python_requires='>=' + min_python,
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    zip_safe=False,
    entry_points={'console_scripts': console_scripts, 'nbdev': [f'{cfg["lib_name"]}={cfg["lib_name"]}._modidx:d']},
    author=cfg['author'], author_email=cfg['author_email'], description=cfg['description'],
    keywords=cfg['keywords'],
)
