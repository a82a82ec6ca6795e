# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reports a person reads, written by the role through ansible-playbook: a server's hostile text stays
text in HTML, Markdown, CSV and JSON, and every page reads on a phone in a real browser (headless Chromium)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess

import pytest

from helpers.playbooks import role_env, run_playbook

FORMATS = ['json', 'markdown', 'html', 'csv']
PHONE_WIDTH = 390
# Narrower than this a cell wraps names a few letters per line.
MIN_CELL_WIDTH = 60
FORMULA_START = ('=', '+', '-', '@', '\t', '\r')
UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', re.IGNORECASE)


def write_reports(emulator, tmp_path, name, **extra_vars):
    report_dir = tmp_path / name
    values = {'vb365_report_dir': str(report_dir), 'vb365_report_formats': FORMATS,
              'facts_file': str(tmp_path / ('%s-facts.json' % name))}
    values.update(extra_vars)
    run_playbook('role_report', values, tmp_path, env=role_env(emulator))
    return report_dir


def only(folder, pattern):
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, 'expected one %s in %s, found %s' % (pattern, folder, [path.name for path in found])
    return found[0]


def read_csv(path):
    with open(str(path), newline='', encoding='utf-8') as handle:
        return list(csv.DictReader(handle))


def assert_inert_html(html):
    assert '<script' not in html.lower() and '<img' not in html.lower()
    assert 'onerror="' not in html
    assert '&lt;script&gt;' in html, 'the text is shown, escaped'


def assert_inert_markdown(markdown):
    lines = markdown.splitlines()
    assert not [line for line in lines if line.startswith('# Injected')], 'no heading injected'
    assert '[click](' not in markdown and '\\[click\\](' in markdown
    assert not re.search(r'(?<!\\)<(img|script)', markdown)
    assert '\r' not in markdown
    # Each table row has exactly its columns: an unescaped | in a name would add one.
    for table_row in (line for line in lines if line.startswith('|')):
        columns = len(re.findall(r'(?<!\\)\|', table_row)) - 1
        assert columns in (2, 6, 8), table_row


def assert_inert_csv(rows):
    for row in rows:
        for column, cell in row.items():
            assert not (cell or '').startswith(FORMULA_START), (column, cell)


def assert_no_command_but_for_a_uuid(text):
    for session_id in re.findall(r'vb365_job_session_id=(\S+?)[\s`<]', text):
        assert UUID.match(session_id), session_id
    assert 'curl' not in text


def test_session_report_shows_hostile_text_as_text(fresh, tmp_path):
    marker = tmp_path / 'templated'
    fresh.admin('faults', {'hostile_text': str(marker), 'hostile_usn': True})
    # Every name carries the hostile text, so the session is given by id.
    session_id = fresh.session(job_name='Fabrikam - All users', status='Failed')['id']
    reports = write_reports(fresh, tmp_path, 'session', vb365_job_session_id=session_id)
    assert not marker.exists(), 'a server text was templated'
    html = only(reports, '*-session-*.html').read_text(encoding='utf-8')
    assert_inert_html(html)
    # usn is escaped like every other field.
    assert '&lt;img src=x onerror=&#34;document.title' in html or '&lt;img src=x onerror=&quot;' in html
    markdown = only(reports, '*-session-*.md').read_text(encoding='utf-8')
    assert_inert_markdown(markdown)
    assert '\ufffd' in markdown, 'the lone surrogate is replaced, not a failed write'
    rows = read_csv(only(reports, '*-session-*.csv'))
    assert rows and all(row['message'].startswith('\'=HYPERLINK("https://evil.example/x"') for row in rows)
    assert_inert_csv(rows)
    assert all('\r' in row['message'] for row in rows), 'a bare carriage return stays in its cell'
    document = json.loads(only(reports, '*-session-*.json').read_text(encoding='utf-8'))
    # The client replaced the lone surrogate when it read the page (U+FFFD); the rest is the exact text.
    assert all(item['message'].startswith('=HYPERLINK') and '\ufffd' in item['message']
               for item in document['log_items']), 'JSON keeps the exact text'
    assert not list(reports.glob('.vb365-*')), 'no temporary file left'


def test_fleet_reports_show_hostile_text_and_ids_as_text(fresh, tmp_path):
    marker = tmp_path / 'templated'
    fresh.admin('faults', {'hostile_text': str(marker), 'hostile_usn': True, 'hostile_ids': True})
    reports = write_reports(fresh, tmp_path, 'fleet', vb365_attention_limit=2)
    assert not marker.exists(), 'a server text was templated'
    for name in ('vb365-localhost-jobs', 'vb365-overview'):
        html = (reports / (name + '.html')).read_text(encoding='utf-8')
        assert_inert_html(html)
        assert_no_command_but_for_a_uuid(html)
        markdown = (reports / (name + '.md')).read_text(encoding='utf-8')
        assert_inert_markdown(markdown)
        assert_no_command_but_for_a_uuid(markdown)
        rows = read_csv(reports / (name + '.csv'))
        assert rows and all(row['job_name'].startswith('\'=HYPERLINK') for row in rows)
        assert_inert_csv(rows)
        document = json.loads((reports / (name + '.json')).read_text(encoding='utf-8'))
        assert all(job['job_name'].startswith('=HYPERLINK') for job in document['servers'][0]['jobs'])


def test_fleet_reports_triage_worst_first_with_reasons(fresh, tmp_path):
    reports = write_reports(fresh, tmp_path, 'triage')
    facts = json.loads((tmp_path / 'triage-facts.json').read_text())
    order = ['Error', 'Missed', 'Warning', 'Stop', 'Running', 'Unknown', 'Disabled', 'Success']
    rows = read_csv(reports / 'vb365-overview.csv')
    verdicts = [row['verdict'] for row in rows]
    assert verdicts == sorted(verdicts, key=order.index) and len(rows) == len(facts['vb365_job_results'])
    markdown = (reports / 'vb365-overview.md').read_text(encoding='utf-8')
    assert markdown.startswith('# FAILED: VB365 backup overview')
    table = [line for line in markdown.splitlines() if line.startswith('| ') and 'Verdict' not in line]
    labels = {'FAILED': 'Error', 'MISSED': 'Missed', 'WARNING': 'Warning', 'RUNNING': 'Running', 'OK': 'Success'}
    shown = [labels[line.split(' ')[1]] for line in table]
    assert shown == sorted(shown, key=order.index)
    missed = next(line for line in table if line.startswith('| MISSED'))
    assert re.search(r'Northwind - Archive: (no run since \d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d, \d+ days?|never ran) \|',
                     missed), missed
    # Times read as minutes and the offset; CSV keeps the exact text.
    assert re.search(r'\| \d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d \|', markdown)
    assert 'T' in next(row['creation_time'] for row in rows if row['creation_time'])


def test_a_failed_session_with_no_failed_operation_shows_the_servers_details(fresh, tmp_path):
    # Seed 0: the three operations succeed whatever the session's status (a random seed fails one in 67 runs).
    started = fresh.admin('sessions', {'job': 'Contoso - Mailboxes', 'items': 3, 'seed': 0})
    fresh.admin('sessions/%s/finish' % started['id'], {'status': 'Failed'})
    reports = write_reports(fresh, tmp_path, 'details', vb365_job_session_id=started['id'])
    facts = json.loads((tmp_path / 'details-facts.json').read_text())
    details = facts['vb365_job_session']['details']
    assert details, 'the emulator gives the session details'
    assert facts['vb365_log_summary']['by_status']['Error'] == 0, facts['vb365_log_summary']
    html = only(reports, '*-session-*.html').read_text(encoding='utf-8')
    assert '<strong>Reason:</strong> %s' % details in html.replace('&#39;', "'")
    markdown = only(reports, '*-session-*.md').read_text(encoding='utf-8')
    assert '**Reason:** ' in markdown


def find_chromium():
    for name in ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'):
        path = shutil.which(name)
        if path:
            return path
    return '/usr/bin/chromium' if os.path.exists('/usr/bin/chromium') else None


# Measures the page as laid out and writes the figures into the DOM for --dump-dom to carry out.
MEASURE = """
<script>
window.addEventListener('load', function () {
  var cells = [];
  document.querySelectorAll('table td, table th').forEach(function (cell) {
    var box = cell.getBoundingClientRect();
    if (box.width > 0 && getComputedStyle(cell).display !== 'none') {
      cells.push({text: cell.textContent.slice(0, 40), width: box.width, display: getComputedStyle(cell).display});
    }
  });
  parent.postMessage(JSON.stringify({viewport: window.innerWidth, width: document.documentElement.scrollWidth,
                                     body: document.body.scrollWidth, cells: cells}), '*');
});
</script>
"""
# Headless Chromium opens no window narrower than 500 px: the page is laid out in a frame of the phone's width,
# whose media queries see that width, and the frame posts its figures to the host page for --dump-dom.
HOST = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="%s" style="width:%dpx;height:1600px;border:0"></iframe>
<script>
window.addEventListener('message', function (event) {
  var out = document.createElement('pre');
  out.id = 'vb365-measure';
  out.textContent = event.data;
  document.body.appendChild(out);
});
</script></body></html>
"""


def chromium(browser, arguments, url):
    command = [browser, '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
               '--hide-scrollbars', '--virtual-time-budget=3000', '--user-data-dir=%s' % arguments.pop(0)]
    return subprocess.run(command + arguments + [url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120, check=False)


def measure(browser, page, width, tmp_path):
    measured = tmp_path / ('measured-%d-%s' % (width, page.name))
    measured.write_text(page.read_text(encoding='utf-8').replace('</body>', MEASURE + '</body>'), encoding='utf-8')
    host = tmp_path / ('host-%d-%s' % (width, page.name))
    host.write_text(HOST % (measured.as_uri(), width), encoding='utf-8')
    result = chromium(browser, [str(tmp_path / 'chromium-profile'), '--window-size=%d,900' % max(width, 800),
                                '--dump-dom'], host.as_uri())
    found = re.search(r'<pre id="vb365-measure">(.*?)</pre>', result.stdout, re.DOTALL)
    assert found, 'Chromium gave no measurement (rc %d): %s' % (result.returncode, result.stderr[-2000:])
    figures = json.loads(found.group(1).replace('&quot;', '"').replace('&lt;', '<').replace('&gt;', '>')
                         .replace('&amp;', '&'))
    screenshot = tmp_path / ('screen-%d-%s.png' % (width, page.stem))
    chromium(browser, [str(tmp_path / 'chromium-profile'), '--window-size=%d,1600' % max(width, 800),
                       '--screenshot=%s' % screenshot], host.as_uri())
    return figures


@pytest.fixture
def browser():
    path = find_chromium()
    if path is None:
        if os.environ.get('CI') == 'true':
            pytest.fail('No Chromium found (chromium, chromium-browser or google-chrome): CI must run the layout test.')
        pytest.skip('No Chromium found (chromium, chromium-browser or google-chrome): install it to test the layout.')
    return path


@pytest.mark.edge_cores_only
def test_every_report_page_reads_on_a_phone(fresh, browser, tmp_path):
    reports = write_reports(fresh, tmp_path, 'phone', vb365_attention_limit=20)
    session_reports = write_reports(fresh, tmp_path, 'phone-session', vb365_job_name='Fabrikam - All users')
    pages = [only(session_reports, '*-session-*.html'), reports / 'vb365-localhost-jobs.html',
             reports / 'vb365-overview.html']
    keep = os.environ.get('VB365_LAYOUT_SCREENSHOTS')
    for page in pages:
        figures = measure(browser, page, PHONE_WIDTH, tmp_path)
        assert figures['viewport'] == PHONE_WIDTH, 'the browser did not open a %d px window' % PHONE_WIDTH
        assert figures['width'] <= PHONE_WIDTH and figures['body'] <= PHONE_WIDTH, (page.name, figures['width'])
        squeezed = [cell for cell in figures['cells'] if cell['width'] < MIN_CELL_WIDTH and cell['display'] != 'block']
        assert not squeezed, (page.name, squeezed[:5])
        wide = measure(browser, page, 1280, tmp_path)
        assert wide['width'] <= 1280
        assert [cell for cell in wide['cells'] if cell['display'] == 'table-cell'], 'wide screens keep the tables'
    if keep:
        for screenshot in tmp_path.glob('screen-*.png'):
            shutil.copy(str(screenshot), keep)
