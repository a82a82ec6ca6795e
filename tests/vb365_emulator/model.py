# -*- coding: utf-8 -*-
# Copyright: (c) 2026, vb365.backup contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulated estate: organizations, jobs, sessions and their operations, licence, users, repositories,
proxies and health. Every answer is computed from a seed and an index, so nothing large is ever stored."""

from __future__ import annotations

import datetime
import random
import threading
import uuid

from .clock import TICKS_PER_SECOND, fmt_ticks, fmt_time, title_date


PRODUCT_VERSIONS = {5: ('v5',), 6: ('v5', 'v6'), 7: ('v5', 'v6', 'v7'), 8: ('v5', 'v6', 'v7', 'v8')}
PRODUCT_BUILDS = {5: '5.0.3.1063', 6: '6.1.0.222', 7: '7.1.0.1301', 8: '8.1.1.125'}
DEFAULT_USERNAME = 'demo-admin'
DEFAULT_PASSWORD = 'Demo-Passw0rd!'
# v5 writes absolute links with the server's own idea of its name, which clients may not resolve.
V5_LINK_HOST = 'https://vbo-internal.corp.local:4443'


class Session:
    """A job session whose log items are computed from their index, never stored."""

    def __init__(self, session_id, job, start, status, item_count, seed, retry_count=0, running=False,
                 will_be_retried=False):
        self.id = session_id
        self.will_be_retried = will_be_retried
        self.job = job
        self.start = start
        self.status = status
        self.item_count = item_count
        self.seed = seed
        self.retry_count = retry_count
        self.running = running
        self.prefix = session_id[:24]
        self.start_ticks = int(start.timestamp()) * TICKS_PER_SECOND
        self.lock = threading.Lock()

    def usn(self, index):
        # Increasing with gaps, as on real servers (1, 2, 1000 has been seen).
        return index + 1 + (index // 4) * 3

    def index_of_usn_at_most(self, usn):
        """Index of the last item whose usn is not above usn, or -1."""
        low, high = 0, self.item_count - 1
        found = -1
        while low <= high:
            middle = (low + high) // 2
            if self.usn(middle) <= usn:
                found = middle
                low = middle + 1
            else:
                high = middle - 1
        return found

    def item_id(self, index):
        return '%s%012x' % (self.prefix, index)

    def index_of_id(self, item_id):
        if not item_id.lower().startswith(self.prefix):
            return None
        try:
            index = int(item_id[24:], 16)
        except ValueError:
            return None
        return index if 0 <= index < self.item_count else None

    def item_status(self, index):
        last = self.item_count - 1
        if index == 0 or (index == last and not self.running):
            return 'Success'
        if self.running and index == last:
            return 'Running'
        draw = (index * 2654435761 + self.seed) % 1000
        if self.status in ('Failed', 'Warning') and draw < 40:
            return 'Warning'
        if self.status == 'Failed' and draw >= 985:
            return 'Failed'
        if self.status == 'Stopped' and index == last - 1:
            return 'Stop'
        return 'Success'

    def item_text(self, index, status):
        org = self.job['org']
        last = self.item_count - 1
        moment = self.start + datetime.timedelta(seconds=index * 0.75)
        if index == 0:
            return 'Job started at %s' % title_date(moment)
        if index == 1:
            return 'Connected to organization %s' % org['domain']
        if index == last and not self.running:
            return 'Job finished at %s' % title_date(moment)
        user = org['users'][index % len(org['users'])]
        kind = (index // 3) % 3
        if kind == 0:
            subject = 'mailbox %s@%s' % (user, org['domain'])
        elif kind == 1:
            subject = 'OneDrive https://%s-my.sharepoint.com/personal/%s' % (org['tenant'], user.replace('.', '_'))
        else:
            subject = 'site https://%s.sharepoint.com/sites/%s' % (org['tenant'], org['sites'][index % len(org['sites'])])
        if status == 'Warning':
            return 'Processing %s finished with warning: Item "Q%d plan.pptx" exceeds the size limit and was skipped' % (
                subject, index % 4 + 1)
        if status == 'Failed':
            return 'Processing %s failed: Access is denied. (The remote server returned an error: (403) Forbidden.)' % (
                subject)
        if status == 'Running':
            return 'Processing %s (%d items processed)' % (subject, index * 7 % 900)
        if status == 'Stop':
            return 'Job was stopped by user %s' % DEFAULT_USERNAME
        return 'Processing %s (%d items, %d.%d MB)' % (subject, index * 13 % 700 + 1, index % 90, index % 10)

    def item(self, index, version):
        status = self.item_status(index)
        created = self.start_ticks + index * 7500000 + (index * 7919) % 5000000
        running_now = status == 'Running'
        body = {'id': self.item_id(index), 'usn': self.usn(index)}
        text = self.item_text(index, status)
        if version == 'v8':
            body['type'] = {'Failed': 'Error'}.get(status, status)
            body['message'] = text
        else:
            body['title'] = '[%s] %s' % (status, text)
        body['creationTime'] = fmt_ticks(created)
        body['endTime'] = None if running_now else fmt_ticks(
            created + 5000000 + (index % 3) * TICKS_PER_SECOND + (index * 104729) % 1000000)
        if version != 'v8':
            href = '/%s/JobSessions/%s/LogItems/%s' % (version, self.id, self.item_id(index))
            body['_links'] = {'self': {'href': V5_LINK_HOST + href if version == 'v5' else href}}
        return body

    finished_at = None
    etag = 1

    def end_time(self):
        if self.running:
            return None
        if self.finished_at is not None:
            return self.finished_at
        return self.start + datetime.timedelta(seconds=self.item_count * 0.75 + 3)

    def as_json(self, version):
        body = {
            'id': self.id,
            'details': '%d operations' % self.item_count if not self.running else 'Processing',
            'creationTime': fmt_time(self.start),
            'endTime': fmt_time(self.end_time()) if self.end_time() else None,
            'retryCount': self.retry_count,
            'progress': 100 if not self.running else 42,
            'status': self.status,
            'statistics': {'processingRateBytesPS': 5242880, 'processingRateItemsPS': 37, 'readRateBytesPS': 6291456,
                           'writeRateBytesPS': 4194304, 'transferredDataBytes': self.item_count * 1048576,
                           'processedObjects': self.item_count, 'bottleneck': 'Source'},
        }
        if version in ('v7', 'v8'):
            # mainSessionId is only sent for retry sessions; none of these is one.
            body.update({'repositoryId': self.job['repositoryId'], 'jobWillBeRetried': self.will_be_retried,
                         'jobType': 'Backup'})
        if version == 'v8':
            body.update({'jobId': self.job['id'], 'jobSessionConfigType': 'Incremental', 'eTag': self.etag,
                         'proxyId': self.job['proxyId'], 'proxyPoolId': None})
        links = {'self': {'href': '/%s/JobSessions/%s' % (version, self.id)},
                 'log': {'href': '/%s/JobSessions/%s/LogItems' % (version, self.id)},
                 'job': {'href': '/%s/Jobs/%s' % (version, self.job['id'])}}
        if version == 'v5':
            links = dict((name, {'href': V5_LINK_HOST + link['href']}) for name, link in links.items())
        body['_links'] = links
        return body


class World:
    """Seeded organizations, jobs and sessions.

    Besides the four jobs the demo and most tests use, the world always holds a job whose last failed
    session the server will retry, one that missed its last runs, one that is disabled, and names with
    spaces and non-ASCII letters. ``jobs`` and ``organizations`` add generated ones up to those totals.
    """

    def __init__(self, seed=365, large_session_items=0, now=None, jobs=0, organizations=0):
        rng = random.Random(seed)
        self.now = now or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        orgs = [
            {'name': 'Contoso Ltd', 'domain': 'contoso.com', 'tenant': 'contoso',
             'users': ['adele.vance', 'alex.wilber', 'diego.siciliani', 'grady.archie', 'isaiah.langer'],
             'sites': ['Legal', 'Finance', 'Marketing']},
            {'name': 'Fabrikam Inc', 'domain': 'fabrikam.com', 'tenant': 'fabrikam',
             'users': ['lee.gu', 'lidia.holloway', 'megan.bowen', 'miriam.graham'], 'sites': ['Projects', 'HR']},
            {'name': 'Northwind Traders', 'domain': 'northwindtraders.com', 'tenant': 'northwind',
             'users': ['nestor.wilke', 'patti.fernandez', 'pradeep.gupta'], 'sites': ['Sales', 'Warehouse']},
        ]
        for org in orgs:
            org['id'] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.jobs = []
        self.sessions = []
        # (organization, name, outcomes newest first, operations, options)
        job_plans = [
            (0, 'Contoso - Mailboxes', ['Success', 'Warning', 'Success', 'Failed', 'Success'], 120, {}),
            (0, 'Contoso - OneDrive and SharePoint', ['Warning', 'Success', 'Success', 'Success', 'Success'], 90, {}),
            (1, 'Fabrikam - All users', ['Failed', 'Warning', 'Success', 'Success', 'Stopped'], 75, {}),
            (2, 'Northwind - Teams', ['Running', 'Success', 'Success', 'Warning', 'Success'], 60, {}),
        ]
        # Ids of added organizations come from their own generator, so that the first jobs keep their ids.
        extra_rng = random.Random(seed + 1)
        orgs.append({'name': 'Müller & Söhne GmbH', 'domain': 'mueller-soehne.de', 'tenant': 'muellersoehne',
                     'users': ['juergen.weiss', 'anna.oeztuerk'], 'sites': ['Qualität'],
                     'id': str(uuid.UUID(int=extra_rng.getrandbits(128), version=4))})
        job_plans += [
            (3, 'Müller & Söhne – Exchange Online', ['Failed', 'Success', 'Success'], 50, {'will_be_retried': True}),
            (2, 'Northwind - Archive', ['Success', 'Success'], 40, {'days_ago': 4}),
            (0, 'Contoso - Legacy PST', ['Success', 'Warning'], 30, {'enabled': False, 'days_ago': 30}),
        ]
        for number in range(len(orgs), organizations):
            orgs.append({'name': 'Tenant %02d' % (number + 1), 'domain': 'tenant%02d.example' % (number + 1),
                         'tenant': 'tenant%02d' % (number + 1), 'users': ['user.one', 'user.two', 'user.three'],
                         'sites': ['Home'], 'id': str(uuid.UUID(int=extra_rng.getrandbits(128), version=4))})
        rotation = [['Success', 'Success'], ['Warning', 'Success'], ['Success', 'Warning'], ['Failed', 'Success']]
        for number in range(len(job_plans), jobs):
            org_index = number % len(orgs)
            job_plans.append((org_index, '%s - Job %02d' % (orgs[org_index]['name'].split()[0], number + 1),
                              rotation[number % len(rotation)], 40, {}))
        self.organizations = orgs
        for org_index, name, outcomes, size, options in job_plans:
            job = {'id': str(uuid.UUID(int=rng.getrandbits(128), version=4)), 'name': name, 'org': orgs[org_index],
                   'organizationId': orgs[org_index]['id'], 'enabled': options.get('enabled', True),
                   'repositoryId': str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                   'proxyId': str(uuid.UUID(int=rng.getrandbits(128), version=4))}
            self.jobs.append(job)
            for age, outcome in enumerate(outcomes):
                days = age + options.get('days_ago', 1)
                start = (self.now - datetime.timedelta(days=days)).replace(hour=22, minute=0, second=0)
                if outcome == 'Running':
                    start = self.now - datetime.timedelta(minutes=20)
                session = Session(str(uuid.UUID(int=rng.getrandbits(128), version=4)), job, start, outcome,
                                  size + rng.randint(0, 40), rng.getrandbits(32), retry_count=0,
                                  running=outcome == 'Running',
                                  will_be_retried=age == 0 and options.get('will_be_retried', False))
                self.sessions.append(session)
            job['lastStatus'] = outcomes[0]
            job['lastRun'] = self.sessions[-len(outcomes)].start
        if large_session_items:
            job = self.jobs[0]
            start = self.now - datetime.timedelta(days=1, hours=2)
            self.large = Session(str(uuid.UUID(int=rng.getrandbits(128), version=4)), job, start, 'Warning',
                                 large_session_items, rng.getrandbits(32))
            self.sessions.append(self.large)
        else:
            self.large = None
        self.sessions.sort(key=lambda session: session.start, reverse=True)
        self.by_id = dict((session.id, session) for session in self.sessions)

    def job_json(self, job, version):
        body = {'id': job['id'], 'name': job['name'], 'description': 'Nightly backup of %s' % job['org']['name'],
                'backupType': 'EntireOrganization', 'isEnabled': job['enabled'], 'lastStatus': job['lastStatus'],
                'lastRun': fmt_time(job['lastRun']),
                'nextRun': fmt_time((self.now + datetime.timedelta(days=1)).replace(hour=22, minute=0, second=0))
                if job['enabled'] else None,
                'repositoryId': job['repositoryId'], 'schedulePolicy': {'type': 'Daily', 'dailyTime': '22:00:00'}}
        links = {'self': {'href': '/%s/Jobs/%s' % (version, job['id'])}}
        if version == 'v8':
            body['organizationId'] = job['organizationId']
        else:
            # Before v8 only the link names the organization.
            href = '/%s/Organizations/%s' % (version, job['organizationId'])
            links['organization'] = {'href': V5_LINK_HOST + href if version == 'v5' else href}
        body['_links'] = links
        return body

    def organization_json(self, org, version):
        return {'id': org['id'], 'name': org['name'], 'officeName': org['domain'], 'type': 'Office365',
                'region': 'Worldwide', 'isBackedup': True,
                '_links': {'self': {'href': '/%s/Organizations/%s' % (version, org['id'])}}}


GIB = 1024 ** 3
LICENSE_MODES = ('over', 'expiring', 'expired', 'ok')
# Licensed users follow a pattern of 20 by their index (see docs/emulator.md, "Licence, users, repositories").
USER_PERIOD = 20
NEW_AT, TEMPORARY_AT, NEVER_BACKED_UP_AT, RECENT_STALE_AT, STALE_AT, EXCEEDED_AT = 3, 7, 11, 13, 15, 19


def count_at(residue, low, high, period=USER_PERIOD):
    """How many indexes in [low, high) are residue modulo period."""
    def below(end):
        return max(0, (end - residue + period - 1) // period)
    return below(high) - below(low)


class Estate:
    """Licence, licensed and organization users, repositories, proxies and health, computed on demand.

    Users are never stored: the licensed users of organization k are the indexes [starts[k], starts[k+1]),
    and every field of a user is a function of its index, so a page of 100,000 users costs its page only.
    Each organization also has users in no job (about one in twenty): on v8 they are the unprotected ones.
    """

    def __init__(self, world, users=40, license='over', seed=365):
        if license not in LICENSE_MODES:
            raise ValueError('license is one of %s' % ', '.join(LICENSE_MODES))
        rng = random.Random(seed + 2)
        self.world = world
        self.now = world.now
        self.users = users
        self.license = license
        self.id_base = rng.getrandbits(32)
        orgs = world.organizations
        share, extra = divmod(users, len(orgs))
        self.counts = [share + (1 if number < extra else 0) for number in range(len(orgs))]
        self.starts = [sum(self.counts[:number]) for number in range(len(orgs) + 1)]
        self.unlicensed = [(count + USER_PERIOD - 1) // USER_PERIOD for count in self.counts]
        self.org_index = dict((org['id'], number) for number, org in enumerate(orgs))
        self.exceeded = count_at(EXCEEDED_AT, 0, users) if license == 'over' else 0
        self.license_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        nightly = (self.now - datetime.timedelta(days=1)).replace(hour=22, minute=0, second=0)
        self.nightly = nightly
        self.repositories = []
        proxies = [('proxy01.backup.example', 'Online', 'Disabled'), ('proxy02.backup.example', 'Offline', 'Disabled'),
                   ('proxy03.backup.example', 'Offline', 'Enabled')]
        self.proxies = [{'id': str(uuid.UUID(int=rng.getrandbits(128), version=4)), 'hostName': host,
                         'status': status, 'maintenance': maintenance} for host, status, maintenance in proxies]
        tib = 1024 * GIB
        # (name, capacity, free, out of sync, object storage without a size limit)
        plans = [('Default Backup Repository', 2 * tib, int(1.2 * tib), False, False),
                 ('Zürich JET', tib, 30 * GIB, False, False),                 # 97 % full: Error
                 ('Frankfurt JET', 4 * tib, int(0.4 * tib), False, False),    # 90 % full: Warning
                 ('Amazon S3 Archive', None, None, False, True),              # size unknown: neither
                 ('Wasabi Offsite', 2 * tib, tib, True, False)]               # out of sync: Warning
        for number, (name, capacity, free, out_of_sync, unbounded) in enumerate(plans):
            self.repositories.append({'id': str(uuid.UUID(int=rng.getrandbits(128), version=4)), 'name': name,
                                      'capacity': capacity, 'free': free, 'out_of_sync': out_of_sync,
                                      'unbounded': unbounded, 'proxy': self.proxies[number % 2]['id'],
                                      'object_storage_id': str(uuid.UUID(int=rng.getrandbits(128), version=4))})

    # -- users ------------------------------------------------------------------------------------

    def _id(self, kind, org_number, position):
        return str(uuid.UUID(int=(self.id_base << 96) | (kind << 80) | (org_number << 64) | position, version=4))

    def _org_of(self, index):
        low, high = 0, len(self.counts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.starts[middle] <= index:
                low = middle
            else:
                high = middle - 1
        while self.counts[low] == 0 or index >= self.starts[low + 1]:
            low += 1
        return low

    def _names(self, org_number, position):
        org = self.world.organizations[org_number]
        if position < self.counts[org_number]:
            local = org['users'][position] if position < len(org['users']) else 'user%05d' % position
        else:
            local = 'new.hire%03d' % (position - self.counts[org_number])
        display = ' '.join(part.capitalize() for part in local.replace('.', ' ').split())
        return '%s@%s' % (local, org['domain']), display

    def license_state(self, index):
        residue = index % USER_PERIOD
        if residue == EXCEEDED_AT and self.license == 'over':
            return 'Exceeded'
        return {NEW_AT: 'New', TEMPORARY_AT: 'TemporarilyAssigned'}.get(residue, 'Licensed')

    def last_backup(self, index):
        """When the user was last backed up, or None (never)."""
        residue = index % USER_PERIOD
        if residue == NEVER_BACKED_UP_AT:
            return None
        days = {STALE_AT: 10, RECENT_STALE_AT: 4}.get(residue, 0)
        if self.license_state(index) == 'Exceeded':
            days = 20   # users over the licence are not processed: their backups age
        return self.nightly - datetime.timedelta(days=days, seconds=-(index % 3600))

    def licensed_user(self, index, version):
        org_number = self._org_of(index)
        org = self.world.organizations[org_number]
        position = index - self.starts[org_number]
        name, _display = self._names(org_number, position)
        last = self.last_backup(index)
        body = {'id': self._id(1, org_number, position), 'name': name, 'isBackedUp': last is not None}
        if last is not None:
            # The schemas do not make lastBackupDate nullable: a user never backed up has none.
            body['lastBackupDate'] = fmt_time(last)
        body.update({'licenseState': self.license_state(index), 'organizationId': org['id'],
                     'backedUpOrganizationId': org['id'], 'organizationName': org['name'],
                     '_links': {'organization': {'href': '/%s/Organizations/%s' % (version, org['id'])}}})
        return body

    def organization_user(self, org_number, position, version):
        org = self.world.organizations[org_number]
        name, display = self._names(org_number, position)
        body = {'id': self._id(1, org_number, position), 'displayName': display, 'name': name, 'type': 'User',
                'locationType': 'Cloud'}
        if version in ('v7', 'v8'):
            body['office'] = 'Head Office'
        if version == 'v8':
            body['msid'] = self._id(4, org_number, position)
        body['_links'] = {'self': {'href': '/%s/Organizations/%s/Users/%s' % (version, org['id'], body['id'])}}
        return body

    def protected_user(self, index):
        org_number = self._org_of(index)
        org = self.world.organizations[org_number]
        position = index - self.starts[org_number]
        _name, display = self._names(org_number, position)
        return {'id': self._id(3, org_number, position), 'msid': self._id(4, org_number, position),
                'displayName': display, 'accountType': 'User', 'organizationId': org['id'],
                'backedUpOrganizationId': org['id'], 'eTag': 1}

    def user_range(self, org_id):
        """[low, high) of the licensed users of one organization (all of them without org_id); None if unknown."""
        if not org_id:
            return 0, self.users
        number = self.org_index.get(org_id.lower())
        if number is None:
            return None
        return self.starts[number], self.starts[number + 1]

    # -- licence and organizations ---------------------------------------------------------------

    def license_json(self, version):
        days = {'over': 200, 'expiring': 12, 'expired': -3, 'ok': 300}[self.license]
        expires = (self.now + datetime.timedelta(days=days)).replace(hour=0, minute=0, second=0)
        total = self.users - max(self.exceeded, 1) if self.license == 'over' else (self.users // 100 + 1) * 100
        body = {'licenseID': self.license_id, 'email': 'licensing@demo-cloud.example',
                'status': 'Expired' if self.license == 'expired' else 'Valid'}
        if version == 'v6':
            body['expirationDate'] = fmt_time(expires)
        else:
            body['licenseExpires'] = fmt_time(expires)
            body['gracePeriodExpires'] = fmt_time(expires + datetime.timedelta(days=30))
        body['type'] = 'Rental'
        if version != 'v6':
            body['package'] = 'Suite'
        body['licensedTo'] = 'Demo Cloud Services'
        if version == 'v6':
            body['contactPerson'] = 'Dana Demo'
        body.update({'totalNumber': max(total, 0), 'usedNumber': self.users,
                     'newNumber': count_at(NEW_AT, 0, self.users), 'supportID': '01234567'})
        if version == 'v6':
            body['supportExpirationDate'] = fmt_time(expires)
        return body

    def licensing_information(self, org_number):
        low, high = self.starts[org_number], self.starts[org_number + 1]
        exceeded = count_at(EXCEEDED_AT, low, high) if self.license == 'over' else 0
        return {'licensedUsers': high - low - exceeded, 'newUsers': count_at(NEW_AT, low, high)}

    def used_repositories(self, org_number, version):
        users = self.counts[org_number]
        used = [(self.repositories[org_number % 3], users * 5 * GIB + org_number * 1048576, 0),
                (self.repositories[3], 0, users * 2 * GIB)]
        results = []
        for repository, jet_bytes, object_bytes in used:
            body = {'usedSpaceBytes': jet_bytes + object_bytes,
                    'localCacheUsedSpaceBytes': object_bytes // 50 if object_bytes else 0,
                    'objectStorageUsedSpaceBytes': object_bytes, 'isAvailable': True, 'details': ''}
            if version == 'v8':
                body['repositoryId'] = repository['id']
                body['protectedObjectsCount'] = users
            body['_links'] = {'repository': {'href': '/%s/BackupRepositories/%s' % (version, repository['id'])}}
            results.append(body)
        return results

    # -- repositories, proxies, health ------------------------------------------------------------

    def repository_json(self, repository, version):
        unbounded = repository['unbounded']
        body = {'id': repository['id'], 'name': repository['name'],
                'description': 'Backups of %s' % repository['name'],
                'path': 'C:\\VeeamRepository\\%s' % repository['name'].split()[0]}
        if version != 'v8':
            body.update({'objectStorageId': repository['object_storage_id'] if unbounded else None,
                         'objectStorageCachePath': body['path'] + '\\Cache' if unbounded else ''})
        body.update({'objectStorageEncryptionEnabled': False if unbounded else None, 'encryptionKeyId': None,
                     'isOutOfSync': repository['out_of_sync'], 'capacityBytes': repository['capacity'],
                     'freeSpaceBytes': repository['free'], 'retentionType': 'ItemLevel',
                     'retentionPeriodType': 'Yearly', 'yearlyRetentionPeriod': 'Years3',
                     'retentionFrequencyType': 'Daily', 'dailyTime': '00:00:00', 'dailyType': 'Everyday',
                     'proxyId': repository['proxy'], 'isLongTerm': unbounded})
        if version == 'v8':
            body.update({'proxyPoolId': None, 'organizationId': None, 'isOutdated': False, 'isIndexed': True,
                         'isMigrationLocked': False, 'isOutOfOrder': False, 'outOfOrderReason': None})
            if unbounded:
                body['objectStorage'] = {'id': repository['object_storage_id'], 'sizeLimitEnabled': False,
                                         'sizeLimitGB': None, 'usedSpaceBytes': 7 * 1024 * GIB,
                                         'freeSpaceBytes': None}
        body['_links'] = {'self': {'href': '/%s/BackupRepositories/%s' % (version, repository['id'])}}
        return body

    def proxy_json(self, proxy, version):
        # Maintenance mode is v8's: before v8 the proxy v8 takes down for maintenance is online.
        status = proxy['status'] if version == 'v8' or proxy['maintenance'] == 'Disabled' else 'Online'
        body = {'type': 'Domain', 'useInternetProxy': False, 'internetProxyType': None, 'id': proxy['id'],
                'hostName': proxy['hostName']}
        if version != 'v6':
            body['fqdn'] = proxy['hostName']
        body.update({'description': 'Backup proxy', 'port': 9193})
        if version != 'v8':
            body['threadsNumber'] = 64
        body.update({'enableNetworkThrottling': False, 'throttlingValue': None, 'throttlingUnit': None,
                     'status': status})
        if version == 'v8':
            online = status == 'Online'
            body.update({'proxyPoolId': None, 'maintenanceModeState': proxy['maintenance'],
                         'cpuUsagePercent': 23.5 if online else None, 'memoryUsagePercent': 41.0 if online else None,
                         'version': PRODUCT_BUILDS[8], 'serviceAccount': None})
        body['_links'] = {'self': {'href': '/%s/Proxies/%s' % (version, proxy['id'])}}
        return body

    def health_json(self):
        return {'status': 'Unhealthy', 'entries': {
            'Nats': {'status': 'Healthy', 'description': None},
            'PostgreSql': {'status': 'Unhealthy',
                           'description': 'The configuration database answers in 12 s: check its disk and load.'}}}
