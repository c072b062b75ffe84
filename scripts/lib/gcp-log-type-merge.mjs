/**
 * Shared by scripts/update-gcp-log-types.mjs and its tests: how an audited method named on a Google
 * audit-logging page is tied to an IAM permission, and how the facts extracted from those pages
 * (data/gcp/audit-pages/*.json) are merged into data/gcp/permission-log-types.json.
 *
 * Nothing here guesses a log type. A permission gets a `cited` entry only when a page lists it (or
 * lists a method that names it by the service's own naming) under a permission type; every
 * disagreement — a page against a hand-written entry, two pages against each other, two methods of
 * one page mapped to one permission with different types — makes the permission `unknown` with a
 * note naming the sources, so that no source silently wins.
 */

const LOG_TYPES = new Set(['ADMIN_WRITE', 'ADMIN_READ', 'DATA_READ', 'DATA_WRITE', 'NOT_LOGGED']);

/** Words of a PascalCase identifier: `GetSecretVersion` → [Get, Secret, Version]; `GetIAMPolicy` → [Get, IAM, Policy]. */
function words(name) {
  return name.match(/[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+/g) ?? [];
}

const lowerFirst = (s) => (s.length === 0 ? s : s[0].toLowerCase() + s.slice(1));

/** `Secret` `Version` → `secretVersion`. */
function camel(parts) {
  return lowerFirst(parts.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1).toLowerCase())).join(''));
}

/** Plural spellings a collection can take in a permission name (compared case-insensitively). */
function plurals(noun) {
  const n = noun.toLowerCase();
  const out = new Set([`${n}s`, `${n}es`]);
  if (n.endsWith('y')) out.add(`${n.slice(0, -1)}ies`);
  if (n.endsWith('s')) out.add(n);
  return [...out];
}

/**
 * Index of one service's permissions: `collection (lower case)` → verb (lower case) → permission.
 * @param {string} prefix permission prefix (`run`, `secretmanager`)
 * @param {Iterable<string>} permissions every permission known (the predefined roles)
 */
export function permissionIndex(prefix, permissions) {
  const index = new Map();
  for (const p of permissions) {
    const parts = p.split('.');
    if (parts.length !== 3 || parts[0] !== prefix) continue;
    const [, collection, verb] = parts;
    const key = collection.toLowerCase();
    if (!index.has(key)) index.set(key, new Map());
    index.get(key).set(verb.toLowerCase(), p);
  }
  return index;
}

function lookup(index, collectionCandidates, verb) {
  for (const c of collectionCandidates) {
    const hit = index.get(c.toLowerCase())?.get(verb.toLowerCase());
    if (hit) return hit;
  }
  return undefined;
}

/**
 * The permission a page's method name points to by the service's naming, or undefined when the
 * name does not lead to exactly one existing permission. Two shapes of method name:
 *
 * - REST (`dns.managedZones.create`, `projects.locations.services.delete`, `batchPredictionJobs.cancel`,
 *   `v1.compute.firewalls.get`): the last segment is the verb, the one before it the collection;
 *   the permission is `<prefix>.<collection>.<verb>` (also with an `s` added: `automation` →
 *   `automations`).
 * - RPC (`google.cloud.run.v1.Services.DeleteService`, `CloudScheduler.PauseJob`, `CreateInstance`):
 *   the method name is split into words; a run of words is the resource noun, the words around it
 *   the verb (`UpdateDatabaseDdl` → databases.updateDdl). Longer nouns are tried first, so the most
 *   specific resource wins (`GetBiReservation` → biReservations, not reservations). Leading noun
 *   words may be dropped only when they are part of the service's own name
 *   (`GetSecretVersion` in secretmanager → versions.get; `DismissApprovalRequest` in accessapproval →
 *   requests.dismiss), never otherwise (`GetEffectivePolicy` is not `policies.get`). A method whose
 *   name is only a verb (`GetIamPolicy`, `Seek`) takes its noun from the interface name when that
 *   name is itself the collection (`Services.GetIamPolicy` → services.getIamPolicy); a one-word
 *   method (`Publish`) maps to the service's only permission with that verb, if there is exactly one.
 *
 * Every result is a permission that exists in `index`; nothing is invented.
 */
export function methodPermission(prefix, method, index) {
  const segments = method.split('.').filter((s) => s.length > 0);
  const last = segments.at(-1);
  if (!last) return undefined;
  if (/^[a-z]/.test(last)) {
    if (segments.length < 2) return undefined;
    const collection = segments.at(-2);
    if (!/^[a-z]/.test(collection)) return undefined;
    return lookup(index, [collection, `${collection}s`], last);
  }
  const w = words(last);
  const iface = segments.length >= 2 ? segments.at(-2) : undefined;
  const servicePrefix = prefix.toLowerCase();
  for (let len = w.length - 1; len >= 1; len--) {
    for (let i = 1; i + len <= w.length; i++) {
      const noun = w.slice(i, i + len);
      const verb = camel([...w.slice(0, i), ...w.slice(i + len)]);
      for (let drop = 0; drop < noun.length; drop++) {
        if (drop > 0 && !servicePrefix.includes(noun.slice(0, drop).join('').toLowerCase())) break;
        const hit = lookup(index, plurals(noun.slice(drop).join('')), verb);
        if (hit) return hit;
      }
    }
  }
  const verb = camel(w);
  if (iface && /^[A-Z]/.test(iface)) {
    const hit = lookup(index, [iface, ...plurals(iface)], verb);
    if (hit) return hit;
  }
  if (w.length === 1) {
    // A one-word method (`Publish`, `Seek`): the service's only permission with that verb, if there is exactly one.
    const hits = [...index.values()].map((verbs) => verbs.get(verb.toLowerCase())).filter((p) => p !== undefined);
    if (hits.length === 1) return hits[0];
  }
  return undefined;
}

/**
 * One page file's (permission → log type) claims. A page that gives two types for one permission
 * (two of its methods map to it) contradicts itself: such permissions come back in `selfConflicts`.
 * @param {{ methods?: { method: string, logType: string, permissions?: string[] }[], notLogged?: { method: string, permissions?: string[] }[] }} page
 */
function pageClaims(page) {
  const claims = new Map();
  const selfConflicts = new Map();
  const claim = (permission, logType, method) => {
    const prev = claims.get(permission);
    if (prev && prev.logType !== logType) {
      const list = selfConflicts.get(permission) ?? [prev];
      list.push({ logType, method });
      selfConflicts.set(permission, list);
      return;
    }
    if (!prev) claims.set(permission, { logType, method });
  };
  for (const m of page.methods ?? []) {
    if (!LOG_TYPES.has(m.logType)) throw new Error(`${page.url}: bad logType ${m.logType} for ${m.method}`);
    for (const p of m.permissions ?? []) claim(p, m.logType, m.method);
  }
  for (const m of page.notLogged ?? []) for (const p of m.permissions ?? []) claim(p, 'NOT_LOGGED', m.method);
  for (const p of selfConflicts.keys()) claims.delete(p);
  return { claims, selfConflicts };
}

/** An entry this script wrote: it names the page file it was extracted from. */
const isGenerated = (entry) => typeof entry.extractedFrom === 'string';

/**
 * The hand-written entries of a table, as they were before any merge: generated entries dropped,
 * conflict markers turned back into the hand entry they replaced.
 */
function handEntries(permissions) {
  const out = {};
  for (const [permission, entry] of Object.entries(permissions ?? {})) {
    if (entry.conflict) {
      if (entry.conflict.hand) out[permission] = structuredClone(entry.conflict.hand);
      continue;
    }
    if (isGenerated(entry)) continue;
    out[permission] = structuredClone(entry);
  }
  return out;
}

/**
 * Merges page claims into a table.
 * @param {object} table the current permission-log-types.json (sources, permissions, patterns, …)
 * @param {{ file: string, sourceKey: string, page: object }[]} pages page files, each with the key under which its URL sits in `sources`
 * @returns {{ table: object, added: string[], agreed: string[], conflicts: { permission: string, claims: { source: string, url: string, logType: string, method?: string }[] }[], keptHandUnknown: string[] }}
 */
export function mergeCitedEntries(table, pages) {
  const sources = { ...(table.sources ?? {}) };
  for (const { sourceKey, page } of pages) {
    if (sources[sourceKey] !== undefined && sources[sourceKey] !== page.url) {
      throw new Error(`source key ${sourceKey} already names ${sources[sourceKey]}, not ${page.url}`);
    }
    sources[sourceKey] = page.url;
  }
  const hand = handEntries(table.permissions);
  const urlOf = (key) => sources[key] ?? key;

  /** permission → claims from pages, one per page */
  const fromPages = new Map();
  const selfConflicted = new Map();
  for (const { file, sourceKey, page } of pages) {
    const { claims, selfConflicts } = pageClaims(page);
    for (const [permission, c] of claims) {
      if (!fromPages.has(permission)) fromPages.set(permission, []);
      fromPages.get(permission).push({ file, source: sourceKey, url: page.url, logType: c.logType, method: c.method });
    }
    for (const [permission, list] of selfConflicts) {
      selfConflicted.set(permission, [
        ...(selfConflicted.get(permission) ?? []),
        ...list.map((c) => ({ file, source: sourceKey, url: page.url, logType: c.logType, method: c.method })),
      ]);
    }
  }

  const permissions = { ...hand };
  const added = [];
  const agreed = [];
  const conflicts = [];
  const keptHandUnknown = [];
  const all = new Set([...fromPages.keys(), ...selfConflicted.keys()]);
  for (const permission of [...all].sort()) {
    const claims = [...(fromPages.get(permission) ?? []), ...(selfConflicted.get(permission) ?? [])];
    const types = new Set(claims.map((c) => c.logType));
    const existing = hand[permission];
    if (existing && existing.logType === 'unknown') {
      keptHandUnknown.push(permission);
      continue;
    }
    if (existing) types.add(existing.logType);
    if (types.size === 1 && !selfConflicted.has(permission)) {
      if (existing) {
        agreed.push(permission);
        continue;
      }
      const first = claims[0];
      permissions[permission] = { logType: first.logType, source: first.source, basis: 'cited', extractedFrom: `audit-pages/${first.file}` };
      added.push(permission);
      continue;
    }
    const named = [
      ...(existing ? [{ source: existing.source, url: urlOf(existing.source), logType: existing.logType, method: 'hand-written entry' }] : []),
      ...claims.map(({ source, url, logType, method }) => ({ source, url, logType, method })),
    ];
    conflicts.push({ permission, claims: named });
    const note = `sources disagree, so no type is claimed: ${named.map((c) => `${c.url} (${c.method}): ${c.logType}`).join('; ')}`;
    permissions[permission] = {
      logType: 'unknown',
      source: existing?.source ?? claims[0].source,
      note,
      conflict: { ...(existing ? { hand: existing } : {}), pages: claims.map((c) => ({ file: c.file, logType: c.logType, method: c.method })) },
    };
  }
  const sorted = Object.fromEntries(Object.entries(permissions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { table: { ...table, sources, permissions: sorted }, added, agreed, conflicts, keptHandUnknown };
}

/** `*` = one or more characters, as the engine reads patterns (src/engine/gcp/permission-log-type.ts). */
export function patternRegExp(match) {
  const body = match
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${body}$`);
}

/** Whether `verb` is `head` or starts with it followed by a capital (`set` → setLabels, not settle). */
function hasHead(verb, head) {
  return verb === head || (verb.startsWith(head) && /^[A-Z]/.test(verb.slice(head.length)));
}

/**
 * The kind of verb the rule decides: `write` (ADMIN_WRITE), `read` (ADMIN_READ), or undefined
 * (undecided: anything else, any verb starting with `use`).
 * @param {object} rule the table's verbRule
 * @param {string} verb
 */
export function verbGroup(rule, verb) {
  if (verb.startsWith('use') || (rule.undecided?.verbs ?? []).includes(verb)) return undefined;
  for (const group of ['write', 'read']) {
    const g = rule[group];
    if (g.verbs.includes(verb) || g.heads.some((h) => hasHead(verb, h))) return group;
  }
  return undefined;
}

/**
 * The excluded family a permission belongs to (its `match`, or `dataWords` when the verb names
 * user content), or undefined.
 * @param {object} rule the table's verbRule
 * @param {string} permission
 */
export function excludedFamily(rule, permission) {
  const verb = permission.split('.').at(-1) ?? '';
  const words = verb.match(/[A-Z][a-z0-9]*/g) ?? [];
  if (words.some((w) => rule.dataWords.words.includes(w))) return 'dataWords';
  for (const f of rule.excludedFamilies) {
    if (!patternRegExp(f.match).test(permission)) continue;
    if ((f.except ?? []).some((e) => patternRegExp(e).test(permission))) continue;
    return f.match;
  }
  return undefined;
}

/** Whether a cited type agrees with what the rule would say for a verb of `group`. */
function agreesWithRule(group, logType) {
  return group === 'write' ? logType === 'ADMIN_WRITE' : logType === 'ADMIN_READ' || logType === 'DATA_READ';
}

/**
 * Applies the table's verbRule to `permissions` (those of the predefined roles): the permissions
 * it classifies, sorted, each with ADMIN_WRITE or ADMIN_READ; and why it leaves the others alone.
 * Nothing with an entry or a matching pattern is touched, so a cited entry always wins over the rule.
 * @param {object} table the merged table (permissions, patterns, verbRule)
 * @param {{ page: object }[]} pages the vendored audit pages
 * @param {Iterable<string>} permissions
 */
export function verbRuleEntries(table, pages, permissions) {
  const rule = table.verbRule;
  if (!rule) throw new Error('permission-log-types: no verbRule');
  const patterns = (table.patterns ?? []).map((p) => patternRegExp(p.match));
  const entries = table.permissions ?? {};
  // Collections a complete page covers, or a hand-written entry names (its author read the page's
  // list for that collection, and we do not know how completely): what such a page does not tie to
  // a method, the rule does not decide.
  const covered = new Set();
  for (const { page } of pages) {
    if (page.incomplete !== undefined) continue;
    for (const m of [...(page.methods ?? []), ...(page.notLogged ?? [])]) {
      for (const p of m.permissions ?? []) covered.add(p.split('.').slice(0, 2).join('.'));
    }
  }
  for (const [permission, entry] of Object.entries(entries)) {
    if (!isGenerated(entry) && !entry.conflict && entry.basis === 'cited') covered.add(permission.split('.').slice(0, 2).join('.'));
  }
  // Services whose cited entries disagree with the rule, per kind of verb; collections with a
  // cited DATA_WRITE (any verb), whose write verbs the rule leaves alone.
  const blocked = new Map();
  const dataCollections = new Map();
  for (const [permission, entry] of Object.entries(entries)) {
    if (entry.logType === 'unknown' || entry.basis !== 'cited') continue;
    const parts = permission.split('.');
    if (parts.length !== 3 || excludedFamily(rule, permission)) continue;
    if (entry.logType === 'DATA_WRITE') {
      const collection = `${parts[0]}.${parts[1]}`;
      dataCollections.set(collection, [...(dataCollections.get(collection) ?? []), permission]);
    }
    const group = verbGroup(rule, parts[2]);
    if (!group || agreesWithRule(group, entry.logType)) continue;
    const key = `${parts[0]} ${group}`;
    if (!blocked.has(key)) blocked.set(key, { service: parts[0], group, disagreeing: [] });
    blocked.get(key).disagreeing.push({ permission, logType: entry.logType });
  }
  const out = {};
  const skipped = { excluded: 0, covered: 0, blocked: 0, dataCollection: 0, undecided: 0 };
  for (const permission of [...new Set(permissions)].sort()) {
    if (entries[permission] || patterns.some((re) => re.test(permission))) continue;
    const parts = permission.split('.');
    const group = parts.length === 3 ? verbGroup(rule, parts[2]) : undefined;
    if (!group) {
      skipped.undecided++;
      continue;
    }
    if (excludedFamily(rule, permission)) skipped.excluded++;
    else if (covered.has(`${parts[0]}.${parts[1]}`) && !rule.everyService.includes(parts[2])) skipped.covered++;
    else if (blocked.has(`${parts[0]} ${group}`)) skipped.blocked++;
    else if (group === 'write' && dataCollections.has(`${parts[0]}.${parts[1]}`)) skipped.dataCollection++;
    else out[permission] = rule[group].logType;
  }
  return {
    entries: out,
    blocked: [...blocked.values()].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.group < b.group ? -1 : 1)),
    covered: [...covered].sort(),
    dataCollections: [...dataCollections.keys()].sort(),
    skipped,
  };
}

/**
 * How each permission of `permissions` is classified by `table`, by basis: `cited-hand`,
 * `cited-pages` (an entry extracted from an audit page), `cited-pattern`, `rule` (a ruleEntries
 * entry), and the unclassified: `conflict` (sources disagree), `checked-inside` (unknown because it
 * is checked inside other calls), `unknown` (nothing else).
 */
export function classifyAll(table, permissions) {
  const patterns = (table.patterns ?? []).map((p) => ({ re: patternRegExp(p.match), entry: p }));
  const counts = { 'cited-hand': 0, 'cited-pages': 0, 'cited-pattern': 0, rule: 0, conflict: 0, 'checked-inside': 0, unknown: 0 };
  const unclassified = (entry) => {
    if (entry.conflict) counts.conflict++;
    else if (entry.unverifiable === 'checked-inside-other-calls') counts['checked-inside']++;
    else counts.unknown++;
  };
  for (const permission of permissions) {
    const entry = table.permissions?.[permission];
    if (entry) {
      if (entry.logType === 'unknown') unclassified(entry);
      else if (isGenerated(entry)) counts['cited-pages']++;
      else counts['cited-hand']++;
      continue;
    }
    const p = patterns.find((x) => x.re.test(permission));
    if (p) {
      if (p.entry.logType === 'unknown') unclassified(p.entry);
      else counts['cited-pattern']++;
      continue;
    }
    if (table.ruleEntries?.[permission]) counts.rule++;
    else counts.unknown++;
  }
  return counts;
}
