import { useEffect, useState } from 'preact/hooks';
import { loadDevice, loadSite, loadSites, sitesListKey } from '../api/queries';
import { enumLabel, formatDate, t } from '../i18n';
import { can } from '../lib/permissions';
import { href, queryParam } from '../lib/router';
import { DeviceDiagnostics } from './diagnostics';
import { useStore } from '../store/hooks';
import { selectSiteDevices } from '../store/store';
import { BackLink, Field, Freshness } from '../ui/components';
import { useLoader } from '../ui/hooks';

export function Sites() {
  const [input, setInput] = useState('');
  const [search, setSearch] = useState('');
  useEffect(() => {
    const h = setTimeout(() => setSearch(input), 300);
    return () => clearTimeout(h);
  }, [input]);
  const key = sitesListKey(search);
  const load = useLoader(key, () => loadSites(search));
  const list = useStore((s) => s.lists[key]);
  const viewer = useStore((s) => s.viewer);
  const sites = useStore((s) => {
    const l = s.lists[key];
    if (l) return l.ids.map((id) => s.sites[id]).filter(Boolean);
    // Offline and never searched for this: filter what we know locally.
    const q = search.trim().toLocaleLowerCase('tr');
    return Object.values(s.sites).filter((x) => !q || `${x.name} ${x.code} ${x.district}`.toLocaleLowerCase('tr').includes(q));
  });
  return (
    <main class="screen">
      <h1>{t('sites.title')}</h1>
      {can(viewer, 'workorders.approve') && (
        <a class="btn-secondary wide link-btn" href={href('/health')}>
          {t('health.link')}
        </a>
      )}
      {can(viewer, 'firmware.manage') && (
        <a class="btn-secondary wide link-btn" href={href('/firmware')}>
          {t('fw.link')}
        </a>
      )}
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(input);
        }}
      >
        <label class="lbl">
          {t('sites.search')}
          <input type="search" value={input} placeholder={t('sites.searchPlaceholder')} onInput={(e) => setInput(e.currentTarget.value)} />
        </label>
      </form>
      <Freshness updatedAt={list?.updatedAt} load={load} />
      {load.loading && !list ? (
        <p class="muted">{t('common.loading')}</p>
      ) : !sites.length ? (
        <p class="empty">{t('common.empty')}</p>
      ) : (
        <ul class="cards">
          {sites.map((site) => (
            <li class="card" key={site.id}>
              <a class="card-link" href={href(`/site/${site.id}`)}>
                <span class="card-top">
                  <span class="wo-number">{site.code}</span>
                  <span class="badge">{enumLabel('siteKind', site.kind)}</span>
                </span>
                <span class="card-title">{site.name}</span>
                <span class="card-meta">
                  <span>{site.district}</span>
                  {site.deviceCount !== undefined && <span>{t('sites.deviceCount', { n: site.deviceCount })}</span>}
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

export function SiteDetail({ id }: { id: string }) {
  const [missing, setMissing] = useState(false);
  const load = useLoader(`site:${id}`, async () => setMissing(!(await loadSite(id))));
  const site = useStore((s) => s.sites[id]);
  const devices = useStore((s) => selectSiteDevices(s, id));
  const fetchedAt = useStore((s) => s.fetchedAt[`site:${id}`]);
  if (!site) {
    return (
      <main class="screen">
        <BackLink to="/sites" />
        {load.loading ? <p class="muted">{t('common.loading')}</p> : missing ? <p class="empty">{t('common.notFound')}</p> : <Freshness load={load} />}
      </main>
    );
  }
  return (
    <main class="screen">
      <BackLink to="/sites" label={t('sites.title')} />
      <p class="wo-number">{site.code}</p>
      <h1>{site.name}</h1>
      <Freshness updatedAt={fetchedAt} load={load} />
      <dl class="fields">
        <Field label={t('site.kind')}>{enumLabel('siteKind', site.kind)}</Field>
        <Field label={t('site.district')}>{site.district}</Field>
        <Field label={t('site.address')}>{site.address || t('common.none')}</Field>
        <Field label={t('site.region')}>{site.region?.name ?? t('common.none')}</Field>
        <Field label={t('site.recording')}>{enumLabel('rec', site.recordingLocation)}</Field>
        <Field label={t('site.location')}>
          {site.latitude != null && site.longitude != null ? `${site.latitude.toFixed(5)}, ${site.longitude.toFixed(5)}` : t('common.none')}
        </Field>
      </dl>
      <section>
        <h2>{t('site.ipBlocks')}</h2>
        {site.ipBlocks?.length ? (
          <ul class="plain">
            {site.ipBlocks.map((b) => (
              <li key={b.id}>
                <code>{b.cidr}</code> {b.description && <span class="muted">— {b.description}</span>}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t('site.noIpBlocks')}</p>
        )}
      </section>
      <section>
        <h2>{t('site.devices')}</h2>
        {devices.length ? (
          <ul class="links">
            {devices.map((d) => (
              <li key={d.id}>
                <a href={href(`/device/${d.id}`)}>
                  <span>
                    {enumLabel('deviceKind', d.kind)} · {d.assetTag}
                  </span>
                  <span class={`badge ds-${d.status.toLowerCase()}`}>{enumLabel('deviceStatus', d.status)}</span>
                </a>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">{t('common.empty')}</p>
        )}
      </section>
    </main>
  );
}

export function DeviceDetail({ id }: { id: string }) {
  const [missing, setMissing] = useState(false);
  const load = useLoader(`device:${id}`, async () => setMissing(!(await loadDevice(id))));
  const device = useStore((s) => s.devices[id]);
  const site = useStore((s) => (device?.siteId ? s.sites[device.siteId] : undefined));
  const fetchedAt = useStore((s) => s.fetchedAt[`device:${id}`]);
  // people who see devices as places only (Zabıta, security staff, unit heads): no technical side
  const technical = useStore((s) => can(s.viewer, 'devices.technical'));
  const fromWo = queryParam('wo');
  const woNumber = useStore((s) => (fromWo ? s.workOrders[fromWo]?.number : undefined));
  if (!device) {
    return (
      <main class="screen">
        <BackLink to="/sites" />
        {load.loading ? <p class="muted">{t('common.loading')}</p> : missing ? <p class="empty">{t('common.notFound')}</p> : <Freshness load={load} />}
      </main>
    );
  }
  const none = t('common.none');
  return (
    <main class="screen">
      {fromWo ? <BackLink to={`/wo/${fromWo}`} label={woNumber} /> : <BackLink to={site ? `/site/${site.id}` : '/sites'} label={site?.name} />}
      <p class="wo-number">{device.assetTag}</p>
      <h1>
        {enumLabel('deviceKind', device.kind)}
        {technical && ` · ${device.make} ${device.model}`}
      </h1>
      <div class="badges">
        <span class={`badge ds-${device.status.toLowerCase()}`}>{enumLabel('deviceStatus', device.status)}</span>
      </div>
      <Freshness updatedAt={fetchedAt} load={load} />
      <dl class="fields">
        <Field label={t('device.site')}>{site ? <a href={href(`/site/${site.id}`)}>{`${site.code} · ${site.name}`}</a> : none}</Field>
        <Field label={t('device.kind')}>{enumLabel('deviceKind', device.kind)}</Field>
        <Field label={t('device.status')}>{enumLabel('deviceStatus', device.status)}</Field>
        <Field label={t('device.assetTag')}>{device.assetTag}</Field>
        {technical && (
          <>
            <Field label={t('device.make')}>{device.make || none}</Field>
            <Field label={t('device.model')}>{device.model || none}</Field>
            <Field label={t('device.serial')}>{device.serialNumber || none}</Field>
            <Field label={t('device.firmware')}>{device.firmware || none}</Field>
            <Field label={t('device.ip')}>{device.ipAddress ? <code>{device.ipAddress}</code> : none}</Field>
            <Field label={t('device.onvifPort')}>{device.onvifPort ?? none}</Field>
          </>
        )}
        <Field label={t('device.installedOn')}>{formatDate(device.installedOn)}</Field>
        <Field label={t('device.publicCityWatch')}>
          {device.isPublicCityWatch === undefined ? none : device.isPublicCityWatch ? t('common.yes') : t('common.no')}
        </Field>
        <Field label={t('device.areaType')}>{enumLabel('area', device.areaType)}</Field>
      </dl>
      {technical && <DeviceDiagnostics device={device} workOrderId={fromWo} />}
    </main>
  );
}
