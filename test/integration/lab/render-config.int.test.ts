/**
 * scripts/render-asterisk-config.sh and the SIP door's settings: TRUNK_MATCH and AGENT_NETWORKS are
 * checked (addresses or networks only, never "every address"; all problems at once) and rendered
 * into the trunk's identify and the ACL; agents' endpoints carry no shared password.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

function render(env: Record<string, string>) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'render-'));
  const r = spawnSync(path.join(ROOT, 'scripts/render-asterisk-config.sh'), [path.join(ROOT, 'asterisk-config'), out], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  const read = (f: string) => (fs.existsSync(path.join(out, f)) ? fs.readFileSync(path.join(out, f), 'utf8') : '');
  const files = { pjsip: read('pjsip.conf'), agents: read('pjsip_agents.conf'), sorcery: read('sorcery.conf') };
  fs.rmSync(out, { recursive: true, force: true });
  return { status: r.status, stderr: r.stderr, ...files };
}

/** The body of one section of a rendered config file (up to the next section). */
function section(text: string, header: string, type: string): string {
  const parts = text.split(/^(?=\[)/m).filter((p) => p.startsWith(`${header}\n`) && p.includes(`type = ${type}`));
  expect(parts).toHaveLength(1);
  return parts[0] ?? '';
}

describe('render-asterisk-config.sh: the SIP door', () => {
  it('renders the trunk\'s addresses into its identify and, with the agents\' networks, into the ACL (deny all, then permit)', () => {
    const r = render({ TRUNK_MATCH: '192.0.2.10,192.0.2.11', AGENT_NETWORKS: '198.51.100.0/24, 2001:db8::/48' });
    expect(r.status).toBe(0);
    expect(section(r.pjsip, '[trunk]', 'identify')).toMatch(/^match = 192\.0\.2\.10,192\.0\.2\.11$/m);
    expect(section(r.pjsip, '[trunk]', 'endpoint')).toMatch(/^identify_by = ip$/m);
    expect(section(r.pjsip, '[trunk]', 'endpoint')).toMatch(/^trust_id_inbound = yes$/m);
    const acl = section(r.pjsip, '[door]', 'acl').split('\n').filter((l) => /^(deny|permit) =/.test(l));
    expect(acl).toEqual(['deny = 0.0.0.0/0.0.0.0', 'deny = ::/0', 'permit = 192.0.2.10,192.0.2.11', 'permit = 198.51.100.0/24, 2001:db8::/48']);
    // trust_id_inbound appears once: on the trunk only.
    expect(r.pjsip.match(/^trust_id_inbound = yes$/gm)).toHaveLength(1);
  });

  it('agents: identified by user name, their auth named but not defined (no password anywhere), auth objects allowed in memory', () => {
    const r = render({ AGENT_SIP_PASSWORD: 'old-shared-password' });
    expect(r.status).toBe(0);
    expect(section(r.pjsip, '[agent-endpoint](!)', 'endpoint')).toMatch(/^identify_by = username$/m);
    expect(r.agents).toMatch(/^\[agent1001\]\(agent-endpoint\)\naors = agent1001\nauth = agent1001-auth$/m);
    expect(r.agents + r.pjsip).not.toMatch(/^\s*(password|md5_cred|password_digest)\s*=/m);
    expect(r.agents + r.pjsip).not.toContain('old-shared-password');
    expect(r.agents).not.toMatch(/type = auth|-auth\]/);
    expect(r.sorcery).toMatch(/^auth = config,pjsip\.conf,criteria=type=auth\nauth = memory$/m);
  });

  it('refuses host names, bad networks and "every address", naming each problem at once', () => {
    const r = render({ TRUNK_MATCH: 'sip.carrier.example,0.0.0.0/0', AGENT_NETWORKS: '10.0.0.0/33,::/0,10.1.2.300' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("TRUNK_MATCH: 'sip.carrier.example' is not an IP address or network");
    expect(r.stderr).toContain("TRUNK_MATCH: '0.0.0.0/0' admits every address");
    expect(r.stderr).toContain("AGENT_NETWORKS: '10.0.0.0/33' has a bad prefix length");
    expect(r.stderr).toContain("AGENT_NETWORKS: '::/0' admits every address");
    expect(r.stderr).toContain("AGENT_NETWORKS: '10.1.2.300' is not an IP address or network");
    expect(r.pjsip).toBe('');
  });

  it('refuses an empty item in a list', () => {
    const r = render({ AGENT_NETWORKS: '10.0.0.0/8,,192.168.0.0/16' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('AGENT_NETWORKS=');
    expect(r.stderr).toContain('has an empty item');
  });
});

describe('render-asterisk-config.sh: the trunk\'s outbound target', () => {
  it('sends outbound calls to TRUNK_CONTACT through a static AOR nobody can register to; the lab default is inside the lab\'s port block', () => {
    const r = render({ TRUNK_CONTACT: 'sip:203.0.113.5:5060' });
    expect(r.status).toBe(0);
    expect(section(r.pjsip, '[trunk]', 'endpoint')).toMatch(/^aors = trunk$/m);
    const aor = section(r.pjsip, '[trunk]', 'aor');
    expect(aor).toMatch(/^contact = sip:203\.0\.113\.5:5060$/m);
    expect(aor).toMatch(/^max_contacts = 0$/m);
    // Inbound identification stays by source address only.
    expect(section(r.pjsip, '[trunk]', 'endpoint')).toMatch(/^identify_by = ip$/m);
    expect(section(render({ AGENT_PORT_OFFSET: '3000' }).pjsip, '[trunk]', 'aor')).toMatch(/^contact = sip:127\.0\.0\.1:3999$/m);
  });

  it.each(['sip:user@203.0.113.5', 'sip:203.0.113.5;transport=tcp', 'http://203.0.113.5', 'sip:'])('refuses TRUNK_CONTACT=%s', (contact) => {
    const r = render({ TRUNK_CONTACT: contact });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('TRUNK_CONTACT');
  });
});
