# vb365.backup get-pip stand-in
# Copied to ~/.ansible/test/cache/ by noxfile.py because ansible-test's own pip bootstrap script could not be
# downloaded from this machine. It installs the pip that Python bundles, then the pip release that
# ansible-test asked for from the machine's usual package index. Delete the copy to go back to the official
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
