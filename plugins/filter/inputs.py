# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the job_session_report role: its inputs as people type them, safe file names, why a server
could not be checked, and which jobs or operations fail the run.

The rules live here, once, in Python, so the role's task files only pipe data through them; each filter
is documented in plugins/filter/<name>.yml.
"""

from __future__ import annotations

import datetime
import json
import os
import re

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.vb365.backup.plugins.filter.report import VERDICT_ORDER
from ansible_collections.vb365.backup.plugins.module_utils import normalize
from ansible_collections.vb365.backup.plugins.module_utils.normalize import API_VERSION_CHOICES, UUID_PATTERN, inert


# Status words users may write, in any case and without blanks: the modules' words, and the role's verdicts
# Unknown and Missed (the modules read an unknown word as Unknown, the role refuses it).
STATUS_WORDS = dict(normalize.STATUS_WORDS, unknown='Unknown', missed='Missed')
# Report formats by the names people give them, and each one's file extension.
FORMAT_NAMES = {'json': 'json', 'markdown': 'markdown', 'md': 'markdown', 'html': 'html', 'htm': 'html',
                'csv': 'csv'}
EXTENSIONS = {'json': 'json', 'markdown': 'md', 'html': 'html', 'csv': 'csv'}
FORMAT_ORDER = ('json', 'markdown', 'html', 'csv')
# Module error kinds (vb365_api.Vb365Error.kind) that mean the server was never talked to.
UNREACHABLE_KINDS = ('connection', 'timeout', 'tls')
UNSAFE_FILE_CHARACTERS = re.compile(r'[^A-Za-z0-9._-]')
# A dated copy of the overview, as overview.yml names it: vb365-overview-<UTC time>.<extension>.
DATED_OVERVIEW = re.compile(r'\Avb365-overview-\d{8}T\d{6}Z\.(json|md|html|csv)\Z')
# What vb365.backup.maintenance does, and the format of the state file it writes.
MAINTENANCE_ACTIONS = ('start', 'end')
MAINTENANCE_STATE_FORMAT = 1
# The verdicts of a newest session that vb365.backup.retry_failed may act on (Success and Running never).
RETRY_VERDICTS = ('Error', 'Missed', 'Warning', 'Stop', 'Unknown')


def as_list(value):
    """A list variable as people type it: a list, one item, or comma-separated items in one string."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = value
    elif isinstance(value, str):
        items = value.split(',') if value.strip() else []
    else:
        items = [value]
    return [str(item).strip() if item is not None else '' for item in items]


def _boolean(value):
    """True or False as a module's bool option reads the value, or None when it is neither."""
    try:
        return boolean(value, strict=True)
    except TypeError:
        return None


def role_inputs(given):
    """Check and normalise the role's inputs; ``problem`` says what is wrong and what to do, or is empty."""
    if not isinstance(given, dict):
        # A TypeError in a filter reaches the play as a templating error that names the filter.
        raise TypeError('role_inputs takes a dict of the role variables, not %s' % type(given).__name__)
    server = str(given.get('server') or '').strip()
    session_id = str(given.get('job_session_id') or '').strip()
    job_name = str(given.get('job_name') or '').strip()
    jobs = as_list(given.get('jobs'))
    status = as_list(given.get('status'))
    fail_on = as_list(given.get('fail_on'))
    formats_given = as_list(given.get('report_formats'))
    api_version = str(given.get('api_version') or '')
    validate_certs = given.get('validate_certs')
    result = {
        'problem': '',
        'mode': 'session' if session_id else ('job' if job_name else 'jobs'),
        'job_session_id': session_id,
        'jobs': jobs,
        'job_ids': [job for job in jobs if UUID_PATTERN.match(job)],
        'job_names': [job for job in jobs if job and not UUID_PATTERN.match(job)],
        'status': [STATUS_WORDS.get(normalize.status_key(word)) for word in status],
        'fail_on': [STATUS_WORDS.get(normalize.status_key(word)) for word in fail_on],
        'report_formats': [name for name in FORMAT_ORDER
                           if name in [FORMAT_NAMES.get(word.lower()) for word in formats_given]],
    }
    result['report_extensions'] = [EXTENSIONS[name] for name in result['report_formats']]
    # The checked value itself goes to the modules: Jinja's bool filter reads more words as false than this check
    # accepts as booleans, and a word it misreads must never turn certificate checks off.
    result['validate_certs'] = _boolean(validate_certs)
    unknown_words = ([word for word in status if normalize.status_key(word) not in STATUS_WORDS or normalize.status_key(word) == 'missed']
                     + [word for word in fail_on if normalize.status_key(word) not in STATUS_WORDS])
    unknown_formats = [word for word in formats_given if word.lower() not in FORMAT_NAMES]
    targets = [target for target in (session_id, job_name, ','.join(jobs)) if target]

    def from_env(name, value):
        env_value = given.get('env_' + name)
        return (' (it came from the environment variable VB365_%s)' % name.upper()
                if env_value and str(env_value) == str(value) else '')

    if not server:
        problem = ('Set vb365_server or the environment variable VB365_SERVER (host name, IP address or '
                   'https://host:port of the VB365 REST API).')
    elif len(targets) > 1:
        problem = ('Set at most one of vb365_job_session_id, vb365_job_name and vb365_jobs (with none, the role '
                   'reports on every enabled job).')
    elif '' in jobs:
        problem = 'vb365_jobs holds an empty name: give job names or ids, in a list or separated by commas.'
    elif session_id and not UUID_PATTERN.match(session_id):
        problem = "vb365_job_session_id '%s' is not a UUID (like 7f3f1f4e-2c41-4f7c-9b0e-5d2b8f7a9c10)." % session_id
    elif api_version not in API_VERSION_CHOICES:
        problem = "vb365_api_version '%s' is not one of %s%s." % (
            api_version, ', '.join(API_VERSION_CHOICES), from_env('api_version', api_version))
    elif _boolean(validate_certs) is None:
        problem = "vb365_validate_certs '%s' is not true or false%s." % (validate_certs,
                                                                         from_env('validate_certs', validate_certs))
    elif unknown_words:
        problem = ('Unknown status word(s) %s in vb365_status or vb365_fail_on: use Success, Warning, Error, Running, '
                   'Stop or Unknown, in any case (Failed and Succeeded are accepted too; vb365_fail_on also takes '
                   'Missed).' % ', '.join(word.lower() for word in unknown_words))
    elif unknown_formats:
        problem = ('vb365_report_formats may hold json, markdown (or md), html and csv, not %s.'
                   % ', '.join(unknown_formats))
    else:
        problem = ''
    result['problem'] = problem
    return result


def report_file_stem(host):
    """The start of a host's report file names: the host made safe as one file name, prefixed vb365- once."""
    safe = UNSAFE_FILE_CHARACTERS.sub('_', str(host))
    # A name of dots only would still name a folder in a path; the prefix makes it a plain name.
    if not safe.lower().startswith('vb365-'):
        safe = 'vb365-' + safe
    return safe


def server_error(failed_result, login_result=None):
    """Why a server could not be checked: ``error`` (the message) and ``error_category``.

    ``error_category`` is ``unreachable`` (connection, timeout, TLS), ``login_refused`` (HTTP 400 or 401 on
    the token endpoint) or ``failed`` (anything else: the server's data, a report that could not be written).
    """
    chosen = failed_result if isinstance(failed_result, dict) else {}
    # The login task registers its failure with failed_when false (so that 2.17 and 2.18 keep its message):
    # a login result with an error and no token is what failed.
    if isinstance(login_result, dict) and isinstance(login_result.get('error'), dict) \
            and not login_result.get('access_token'):
        chosen = login_result
    detail = chosen.get('error') if isinstance(chosen.get('error'), dict) else {}
    message = str(chosen.get('msg') or '').strip() or 'the check failed for a reason the task did not give'
    kind = detail.get('kind')
    if kind in UNREACHABLE_KINDS:
        category = 'unreachable'
    elif kind == 'http' and detail.get('status') in (400, 401) and str(detail.get('path') or '').endswith('/token'):
        category = 'login_refused'
    else:
        category = 'failed'
    return {'error': message, 'error_category': category}


def failing_jobs(job_results, fail_on):
    """The jobs whose verdict is in ``fail_on`` or that have operations with a status in it."""
    fail_on = list(fail_on or [])
    failing = []
    for job in job_results or []:
        counts = ((job.get('summary') or {}).get('by_status')) or {}
        if job.get('verdict') in fail_on or any(counts.get(status, 0) for status in fail_on):
            failing.append(job)
    return failing


def jobs_needing_attention(servers):
    """``job on host (verdict)`` for every failed or missed job of the given server results, worst first."""
    order = {'Error': 0, 'Missed': 1}
    found = []
    for server in servers or []:
        for job in server.get('jobs') or []:
            if job.get('verdict') in order:
                text = '%s on %s (%s)' % (job.get('job_name'), server.get('host'), job['verdict'])
                found.append((order[job['verdict']], text))
    return [text for _order, text in sorted(found, key=lambda pair: pair[0])]


# The vb365_job_results entries: the contract's key names for jobs_info's job entries.
JOB_RESULT_KEYS = (('job_name', 'name'), ('job_id', 'id'), ('organization', 'organization'), ('enabled', 'enabled'),
                   ('verdict', 'verdict'), ('will_retry', 'will_retry'), ('session', 'session'),
                   ('summary', 'summary'), ('attention', 'attention'), ('attention_left_out', 'attention_left_out'))


def job_results(jobs):
    """The role's vb365_job_results from the ``jobs`` of jobs_info (with include_last_session)."""
    return [dict((key, job.get(source)) for key, source in JOB_RESULT_KEYS) for job in jobs or []]


def _attention_tail(attention, shown):
    """'; needs attention: a, b and N more', at most ``shown`` named; '' when nothing needs attention."""
    if not attention:
        return ''
    shown = int(shown)
    tail = '; needs attention: ' + ', '.join(attention[:shown])
    if len(attention) > shown:
        tail += ' and %d more' % (len(attention) - shown)
    return tail


def jobs_line(server_result, report_files=None, shown=10):
    """The line a server's jobs-mode run ends with: counts per verdict, where the reports are, what needs attention."""
    server_result = server_result or {}
    verdicts = [job.get('verdict') for job in server_result.get('jobs') or []]
    counts = ''.join('%s %d; ' % (verdict, verdicts.count(verdict)) for verdict in VERDICT_ORDER
                     if verdicts.count(verdict))
    where = ('reports in ' + ', '.join(report_files)) if report_files else 'no report written'
    return '%d job(s) on %s: %s%s%s' % (len(verdicts), server_result.get('host'), counts, where,
                                        _attention_tail(jobs_needing_attention([server_result]), shown))


def overview_line(servers, server_count, overview_files='', shown=10):
    """The fleet run's last line: where the overview is (``overview_files``, '' when none was written), the servers
    not checked and the failed or missed jobs."""
    servers = servers or []
    unchecked = [server.get('host') for server in servers if server.get('error')]
    attention = jobs_needing_attention(servers)
    line = ('Overview of %d server(s) in %s' % (int(server_count), overview_files)) if overview_files else (
        'No overview written')
    if unchecked:
        line += '; not checked: ' + ', '.join(str(host) for host in unchecked)
    line += _attention_tail(attention, shown)
    if not unchecked and not attention:
        line += '; no job failed or was missed'
    return line


def session_failure(session, summary, attention, verdict, fail_on, items=10):
    """The failure message of a session that fails ``fail_on``, or an empty string when it does not."""
    fail_on = list(fail_on or [])
    counts = (summary or {}).get('by_status') or {}
    failing_count = sum(int(counts.get(status, 0)) for status in fail_on)
    if not failing_count and verdict not in fail_on:
        return ''
    session = session or {}
    failing = [item for item in attention or [] if item.get('status') in fail_on]
    shown = failing[:int(items)]
    name = session.get('job_name')
    message = 'Job session %s%s ended %s and has %d operation(s) with status %s (%s)' % (
        session.get('id'), ' of %s' % name if name else '', verdict, failing_count, ' or '.join(fail_on),
        ', '.join('%s %s' % (status, count) for status, count in counts.items()))
    if shown:
        message += ': ' + '; '.join('[%s] %s' % (item.get('status'), item.get('message')) for item in shown)
        if failing_count > len(shown):
            message += ' ... and %d more' % (failing_count - len(shown))
        return message + '.'
    details = str(session.get('details') or '').strip()
    return message + ('. The server says: %s' % details if details else '. The server gave no details.')


def stale_overviews(paths, keep):
    """The dated overview files to delete so that the newest ``keep`` of each format remain.

    Only names exactly of the dated form count (a host named ``overview-...`` has ``-jobs`` files, which
    never match); their UTC times sort as text, so the newest are the last in order.
    """
    keep = int(keep)
    if keep < 0:
        raise TypeError('vb365_overview_keep must be 0 or more, not %d.' % keep)
    by_format = {}
    for path in paths or []:
        found = DATED_OVERVIEW.match(str(path).replace('\\', '/').rsplit('/', 1)[-1])
        if found:
            by_format.setdefault(found.group(1), []).append(str(path))
    stale = []
    for _extension, dated in sorted(by_format.items()):
        dated.sort(key=lambda path: path.rsplit('/', 1)[-1])
        stale.extend(dated[:max(len(dated) - keep, 0)])
    return stale


HEALTH_KEYS = ('verdict', 'reasons', 'license', 'repositories', 'proxies', 'health', 'organizations')
PROBLEM_WORDS = (('Exceeded', 'beyond the licence'), ('Unprotected', 'in no backup job'),
                 ('NotBackedUp', 'never backed up'), ('Stale', 'not backed up lately'))


def _whole_number(value, lowest):
    """A whole number of at least ``lowest`` from an int or its text (as -e gives it), else None; never a bool."""
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number >= lowest else None


def _worst(verdicts):
    known = [verdict for verdict in verdicts if verdict in VERDICT_ORDER]
    return min(known, key=VERDICT_ORDER.index) if known else 'Success'


def _read_failure(result):
    """The message of a module result that failed (registered with failed_when false), else None."""
    if not isinstance(result, dict) or result.get('skipped'):
        return None
    if result.get('verdict') is None:
        return str(result.get('msg') or 'no answer').strip()
    return None


def with_health(server_result, server_info=None, protection=None, limit=50):
    """The server result with ``health`` and ``protection`` added, and the server's ``verdict`` and ``reasons``.

    ``health_verdict`` is the worst of the server's health and its users' protection; ``verdict`` is the
    worst of that and of its jobs (``Error`` for a server that could not be checked). A health read that
    failed is a reason with the verdict ``Unknown``; problem users are capped at ``limit`` (the number left
    out is kept), their counts are complete.
    """
    result = dict(server_result or {})
    reasons, health_verdicts = [], []
    health = protection_out = None
    failure = _read_failure(server_info)
    if failure:
        health = {'verdict': 'Unknown', 'reasons': ['Server health could not be read: %s' % failure]}
    elif isinstance(server_info, dict) and not server_info.get('skipped'):
        health = dict((key, server_info.get(key)) for key in HEALTH_KEYS)
    failure = _read_failure(protection)
    if failure:
        protection_out = {'verdict': 'Unknown', 'summary': None, 'problems': [], 'problems_left_out': 0,
                          'reasons': ['User protection could not be read: %s' % failure]}
    elif isinstance(protection, dict) and not protection.get('skipped'):
        problems = list(protection.get('problems') or [])
        counts = dict((word, 0) for word, _text in PROBLEM_WORDS)
        for problem in problems:
            if problem.get('problem') in counts:
                counts[problem['problem']] += 1
        said = ['%d %s' % (counts[word], text) for word, text in PROBLEM_WORDS if counts[word]]
        licensed = (protection.get('summary') or {}).get('licensed_users')
        protection_out = {'verdict': protection.get('verdict'), 'summary': protection.get('summary'),
                          'problems': problems[:int(limit)], 'problems_left_out': max(len(problems) - int(limit), 0),
                          'reasons': ['Users: %s (of %s licensed)' % (', '.join(said), licensed)] if said else []}
    for part in (health, protection_out):
        if part:
            health_verdicts.append(part.get('verdict'))
            reasons.extend(part.get('reasons') or [])
    job_verdicts = [job.get('verdict') for job in result.get('jobs') or []]
    result['health'] = health
    result['protection'] = protection_out
    result['health_verdict'] = _worst(health_verdicts) if health_verdicts else None
    result['verdict'] = 'Error' if result.get('error') else _worst(job_verdicts + health_verdicts)
    result['reasons'] = reasons
    return result


def host_failure(server_result, fail_on, report_dir=''):
    """Why a host fails at the end of a fleet run: not checked, jobs or a server verdict in ``fail_on``; '' when it does not."""
    server_result = server_result or {}
    host = server_result.get('host')
    if server_result.get('error'):
        return '%s (%s) could not be checked: %s' % (host, server_result.get('server'), server_result['error'])
    fail_on = list(fail_on or [])
    parts = []
    failing = failing_jobs(server_result.get('jobs'), fail_on)
    if failing:
        parts.append('%d job(s) on %s have %s: %s.' % (len(failing), host, ' or '.join(fail_on), '; '.join(
            '%s (%s)' % (job.get('job_name'), job.get('verdict')) for job in failing)))
    health_verdict = server_result.get('health_verdict')
    if health_verdict in fail_on:
        parts.append('Server %s is %s: %s.' % (host, health_verdict, '; '.join(str(reason).rstrip('.') for reason in server_result.get('reasons') or [])))
    if parts and report_dir:
        parts.append('The reports are in %s.' % report_dir)
    return ' '.join(parts)


def retry_inputs(given):
    """Check and normalise the inputs of vb365.backup.retry_failed; ``problem`` says what is wrong, or is empty."""
    if not isinstance(given, dict):
        raise TypeError('retry_inputs takes a dict of the playbook variables, not %s' % type(given).__name__)
    problem = ''
    verdicts_given = given.get('verdicts')
    jobs_given = given.get('jobs')
    timeout = given.get('wait_timeout')
    poll = given.get('poll_seconds')
    wait = given.get('wait', True)
    window = given.get('window_hours', 0)
    state_dir = str(given.get('state_dir') or '').strip()
    if not isinstance(verdicts_given, (list, tuple, str)):
        problem = ('vb365_retry_verdicts must be a list of verdicts (or a comma-separated string), not %s.'
                   % type(verdicts_given).__name__)
        verdicts_given = []
    if not isinstance(jobs_given, (list, tuple, str)) and jobs_given is not None:
        problem = problem or ('vb365_jobs must be a list of job names or ids (or a comma-separated string), not %s.'
                              % type(jobs_given).__name__)
        jobs_given = []
    words = as_list(verdicts_given)
    verdicts = [STATUS_WORDS.get(normalize.status_key(word)) for word in words]
    unknown = [word for word, verdict in zip(words, verdicts) if verdict not in RETRY_VERDICTS]
    jobs = as_list(jobs_given)

    if problem:
        pass
    elif unknown:
        problem = ('Unknown verdict(s) %s in vb365_retry_verdicts: use %s, in any case (Failed is accepted for Error).'
                   % (', '.join(unknown), ', '.join(RETRY_VERDICTS)))
    elif not verdicts:
        problem = 'vb365_retry_verdicts is empty: give the verdicts to retry, such as Error and Missed.'
    elif '' in jobs:
        problem = 'vb365_jobs holds an empty name: give job names or ids, in a list or separated by commas.'
    elif _whole_number(timeout, 1) is None:
        problem = 'vb365_retry_wait_timeout must be a whole number of seconds above 0, not %s.' % (timeout,)
    elif _whole_number(poll, 1) is None:
        problem = 'vb365_retry_poll_seconds must be a whole number of seconds above 0, not %s.' % (poll,)
    elif _boolean(wait) is None:
        problem = "vb365_retry_wait '%s' is not true or false." % (wait,)
    elif _whole_number(window, 0) is None:
        problem = ('vb365_retry_window_hours must be a whole number of hours, 0 (no window) or more, not %s.'
                   % (window,))
    elif _whole_number(window, 0) and not state_dir:
        problem = 'vb365_retry_state_dir is empty: give the folder where the retries of the window are recorded.'
    return {
        'problem': problem,
        'wait': bool(_boolean(wait)),
        'window_hours': _whole_number(window, 0) or 0,
        'state_dir': state_dir,
        'verdicts': [verdict for verdict in RETRY_VERDICTS if verdict in verdicts],
        'jobs': jobs,
        'job_ids': [job for job in jobs if UUID_PATTERN.match(job)],
        'job_names': [job for job in jobs if job and not UUID_PATTERN.match(job)],
        'wait_timeout': _whole_number(timeout, 1) or 0,
        'poll_seconds': _whole_number(poll, 1) or 0,
    }


def retry_candidates(job_results, verdicts, recent=None):
    """The jobs to start again: enabled, newest session's verdict in ``verdicts``, not retried by the server,
    and not started by this playbook within the window (``recent``, from retry_records)."""
    verdicts = list(verdicts or [])
    recent = recent or {}
    return [job for job in _retry_due(job_results, verdicts)
            if UUID_PATTERN.match(str(job.get('id'))) and str(job.get('id')).lower() not in recent]


def _retry_due(job_results, verdicts):
    return [job for job in job_results or []
            if job.get('enabled') and job.get('verdict') in verdicts and not job.get('will_retry')]


def retry_record_name(host_stem, job_id):
    """The file that records a retry of one job, in vb365_retry_state_dir; None for an id that is not a UUID."""
    if not UUID_PATTERN.match(str(job_id or '')):
        return None
    return '%s-%s.retry.json' % (report_file_stem(host_stem), str(job_id).lower())


def retry_records(found_files, host_stem):
    """The jobs of this host started within the window: ``{job id: UTC time}`` from ansible.builtin.find's files.

    find chose the files by age; only names this playbook writes count, so another file in the folder is ignored.
    """
    prefix = report_file_stem(host_stem) + '-'
    recent = {}
    for found in found_files or []:
        name = os.path.basename(str((found or {}).get('path') or ''))
        job_id = name[len(prefix):-len('.retry.json')] if name.startswith(prefix) and name.endswith('.retry.json') else ''
        if UUID_PATTERN.match(job_id):
            stamp = datetime.datetime.fromtimestamp(float(found.get('mtime') or 0), datetime.timezone.utc)
            recent[job_id.lower()] = stamp.strftime('%Y-%m-%dT%H:%M:%SZ')
    return recent


def _session_view(session):
    session = session or {}
    return dict((key, session.get(key)) for key in ('id', 'status', 'creation_time', 'end_time', 'details'))


def retry_results(job_results, candidates, outcomes, verdicts, check_mode=False, waited=True, recent=None,
                  window_hours=0):
    """Each job before and after the retry, inert for Jinja; ``outcome`` and ``failed_again`` say how it went.

    ``outcomes`` are the ``results`` of vb365.backup.jobs (waited for when ``waited``, else only started, or from a
    check-mode run), one per job, each with the ``job`` it acted on; a job the module failed on, that was still
    running at the wait's end, or that ended with a verdict in ``verdicts`` again, failed again. Without waiting, a job
    whose start was taken is ``started``. A job in ``recent`` (from retry_records) was started within the window and
    is not started again.
    """
    verdicts = list(verdicts or [])
    recent = recent or {}
    by_id = {}
    for outcome in outcomes or []:
        acted_on = outcome.get('job') if isinstance(outcome, dict) else None
        if isinstance(acted_on, dict):
            by_id[str(acted_on.get('id')).lower()] = outcome
    chosen = set(str(job.get('id')) for job in candidates or [])
    due = set(str(job.get('id')) for job in _retry_due(job_results, verdicts))
    results = []
    for job in job_results or []:
        job_id = str(job.get('id'))
        entry = {
            'job_name': job.get('name'), 'job_id': job.get('id'), 'organization': job.get('organization'),
            'enabled': job.get('enabled'), 'will_retry': job.get('will_retry'),
            'before': {'verdict': job.get('verdict'), 'session': _session_view(job.get('session'))},
            'after': None, 'outcome': 'not retried', 'failed_again': False, 'message': '',
        }
        if job_id in chosen:
            outcome = by_id.get(job_id.lower()) or {}
            entry['message'] = str(outcome.get('msg') or '')
            if check_mode:
                entry['outcome'] = 'would start'
            elif not waited:
                failed = bool(outcome.get('failed')) or not outcome
                entry['after'] = {'verdict': None, 'session': _session_view(outcome.get('session')), 'summary': None}
                entry.update(outcome='could not start' if failed else 'started', failed_again=failed)
            elif (outcome.get('error') or {}).get('kind') == 'wait_timeout':
                entry['after'] = {'verdict': None, 'session': _session_view(outcome.get('session')), 'summary': None}
                entry.update(outcome='still running', failed_again=True)
            else:
                verdict = outcome.get('verdict')
                entry['after'] = {'verdict': verdict, 'session': _session_view(outcome.get('session')),
                                  'summary': outcome.get('summary')}
                failed = bool(outcome.get('failed')) or verdict is None or verdict in verdicts
                entry['outcome'] = 'failed again' if failed else 'retried'
                entry['failed_again'] = failed
        elif job.get('will_retry') and job.get('verdict') in verdicts:
            entry['outcome'] = 'left to the server'
        elif job_id in due and not UUID_PATTERN.match(job_id):
            # An id the server sent goes into no request path unless it is a UUID.
            entry.update(outcome='could not start', failed_again=not check_mode,
                         message='The server gave this job the id %r, which is not a UUID: it was not started.'
                         % job_id[:80])
        elif job_id.lower() in recent and job.get('enabled') and job.get('verdict') in verdicts:
            entry['outcome'] = 'retried recently'
            entry['message'] = ('Started by vb365.backup.retry_failed at %s, within vb365_retry_window_hours (%s): '
                                'not started again.' % (recent[job_id.lower()], window_hours))
        results.append(entry)
    return inert(results)


def maintenance_inputs(given):
    """Check and normalise the inputs of vb365.backup.maintenance; ``problem`` says what is wrong, or is empty.

    The connection inputs and ``vb365_jobs`` follow the rules of role_inputs, so they read the same everywhere.
    """
    if not isinstance(given, dict):
        raise TypeError('maintenance_inputs takes a dict of the playbook variables, not %s' % type(given).__name__)
    action = str(given.get('maintenance') or '').strip().lower()
    shared_keys = ('server', 'jobs', 'api_version', 'validate_certs', 'env_api_version', 'env_validate_certs')
    shared = role_inputs(dict((key, given.get(key)) for key in shared_keys))
    wait = given.get('wait')
    poll = given.get('poll_seconds')
    stop_running = given.get('stop_running')
    state_dir = str(given.get('state_dir') or '').strip()

    if action not in MAINTENANCE_ACTIONS:
        problem = ("Set vb365_maintenance to start (disable the jobs before maintenance) or end (enable them again "
                   "afterwards), as in -e vb365_maintenance=start%s."
                   % (", not '%s'" % given.get('maintenance') if str(given.get('maintenance') or '').strip() else ''))
    elif shared['problem']:
        problem = shared['problem']
    elif _whole_number(wait, 0) is None:
        problem = 'vb365_maintenance_wait must be a whole number of seconds, 0 or more, not %s.' % (wait,)
    elif _whole_number(poll, 1) is None:
        problem = 'vb365_maintenance_poll_seconds must be a whole number of seconds above 0, not %s.' % (poll,)
    elif _boolean(stop_running) is None:
        problem = "vb365_maintenance_stop_running '%s' is not true or false." % (stop_running,)
    elif not state_dir:
        problem = 'vb365_maintenance_state_dir is empty: give the folder where the state files are kept.'
    else:
        problem = ''
    return {
        'problem': problem,
        'action': action,
        'jobs': shared['jobs'],
        'job_ids': shared['job_ids'],
        'job_names': shared['job_names'],
        'wait': _whole_number(wait, 0) or 0,
        'poll_seconds': _whole_number(poll, 1) or 1,
        'retries': -(-(_whole_number(wait, 0) or 0) // (_whole_number(poll, 1) or 1)),
        'stop_running': bool(_boolean(stop_running)),
        'state_dir': state_dir,
        'validate_certs': shared['validate_certs'],
    }


def _recorded_jobs(recorded):
    """The jobs of a state file (or of a list of them), each ``{id, name}``, and what is wrong with it."""
    if recorded is None:
        return None, {}, ''
    if isinstance(recorded, (str, bytes)):
        try:
            recorded = json.loads(recorded)
        except ValueError:
            return [], {}, 'it is not JSON'
    state = recorded if isinstance(recorded, dict) else {'jobs': recorded}
    entries = state.get('jobs')
    foreign_format = isinstance(recorded, dict) and state.get('format') != MAINTENANCE_STATE_FORMAT
    if not isinstance(entries, (list, tuple)) or foreign_format:
        return [], state, ('it is not a state file of vb365.backup.maintenance (format %d with a list of jobs)'
                           % MAINTENANCE_STATE_FORMAT)
    jobs = []
    for entry in entries:
        job_id = entry.get('id') if isinstance(entry, dict) else None
        if not isinstance(job_id, str) or not UUID_PATTERN.match(job_id):
            return [], state, 'it records a job whose id is not a UUID (%s)' % inert(str(entry)[:100])
        if job_id.lower() not in [job['id'].lower() for job in jobs]:
            jobs.append({'id': job_id, 'name': entry.get('name')})
    return jobs, state, ''


def maintenance_plan(jobs, recorded=None, chosen=None, server=None, now=None):
    """What vb365.backup.maintenance does on one server: which jobs to disable, record, wait for and enable.

    ``jobs`` are the server's jobs as jobs_info returns them (disabled ones too); ``recorded`` is the state
    file of an earlier start, as JSON text or parsed (None when there is none); ``chosen`` the ids of the jobs in scope (None: all).
    A job recorded stays recorded, so a start interrupted after the file was written completes on the next
    run and ``end`` enables every job it disabled. A job already disabled and not recorded is the admin's:
    it is never recorded, so never enabled. ``enable`` holds the recorded jobs that still exist and are
    disabled; ``running`` the recorded jobs whose newest session runs; ``gone`` the recorded jobs the server
    no longer has. Every name is returned inert for Jinja.
    """
    recorded_jobs, state, problem = _recorded_jobs(recorded)
    listed = [job for job in jobs or [] if isinstance(job, dict) and job.get('id')]
    by_id = dict((str(job['id']).lower(), job) for job in listed)
    chosen_ids = None if chosen is None else set(str(job_id).lower() for job_id in as_list(chosen))
    record = list(recorded_jobs or [])
    recorded_ids = set(job['id'].lower() for job in record)
    in_scope = [job for job in listed if chosen_ids is None or str(job['id']).lower() in chosen_ids]
    for job in in_scope:
        if job.get('enabled') and str(job['id']).lower() not in recorded_ids:
            record.append({'id': job['id'], 'name': job.get('name')})
            recorded_ids.add(str(job['id']).lower())

    def entry(job):
        return {'id': job['id'], 'name': job.get('name')}

    recorded_listed = [by_id[job['id'].lower()] for job in record if job['id'].lower() in by_id]
    plan = {
        'problem': problem,
        'record': record,
        'disable': [entry(job) for job in recorded_listed if job.get('enabled')],
        'enable': [entry(job) for job in recorded_listed if not job.get('enabled')],
        'running': [entry(job) for job in recorded_listed
                    if isinstance(job.get('session'), dict) and job['session'].get('status') == 'Running'],
        'admin_disabled': [entry(job) for job in in_scope
                           if not job.get('enabled') and str(job['id']).lower() not in recorded_ids],
        'gone': [job for job in record if job['id'].lower() not in by_id],
        # Written when there is none yet or when a job joins it; a second start rewrites nothing.
        'write': not problem and bool(record) and (recorded_jobs is None or len(record) > len(recorded_jobs)),
        'state': {'format': MAINTENANCE_STATE_FORMAT, 'server': state.get('server') or server,
                  'started': state.get('started') or now, 'jobs': record},
    }
    if problem:
        plan.update(record=[], disable=[], enable=[], running=[], gone=[])
    return inert(plan)


class FilterModule:
    def filters(self):
        return {
            'as_list': as_list,
            'role_inputs': role_inputs,
            'report_file_stem': report_file_stem,
            'server_error': server_error,
            'failing_jobs': failing_jobs,
            'jobs_needing_attention': jobs_needing_attention,
            'session_failure': session_failure,
            'stale_overviews': stale_overviews,
            'with_health': with_health,
            'host_failure': host_failure,
            'job_results': job_results,
            'jobs_line': jobs_line,
            'overview_line': overview_line,
            'retry_inputs': retry_inputs,
            'retry_candidates': retry_candidates,
            'retry_results': retry_results,
            'retry_record_name': retry_record_name,
            'retry_records': retry_records,
            'maintenance_inputs': maintenance_inputs,
            'maintenance_plan': maintenance_plan,
        }
