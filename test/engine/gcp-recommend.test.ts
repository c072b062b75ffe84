/** Narrower-role suggestions for GCP overbroad grants, against the bundled predefined roles. */

import { describe, expect, it } from 'vitest';
import { isSuggestible, narrowestRoles } from '../../src/engine/gcp/recommend.js';
import { bundledRoleCatalogue, roleCatalogueFrom } from '../../src/engine/gcp/role-catalogue.js';

describe('narrowestRoles', () => {
  const catalogue = bundledRoleCatalogue();

  it("prefers the service's own conventionally named role, and every suggestion holds what was used", () => {
    expect(narrowestRoles(['storage.objects.get', 'storage.objects.list'], catalogue)).toEqual([{ role: 'roles/storage.objectViewer', size: 8 }]);
    expect(narrowestRoles(['secretmanager.versions.access'], catalogue).map((r) => r.role)).toEqual(['roles/secretmanager.secretAccessor']);
    for (const used of [['storage.buckets.create'], ['compute.instances.list', 'compute.instances.get'], ['cloudkms.cryptoKeyVersions.useToDecrypt']]) {
      const roles = narrowestRoles(used, catalogue);
      expect(roles.length).toBeGreaterThan(0);
      const held = new Set(roles.flatMap((r) => catalogue.permissionsOf(r.role) ?? []));
      for (const p of used) expect(held.has(p)).toBe(true);
    }
  });

  it('covers each service on its own instead of one odd role spanning them', () => {
    expect(narrowestRoles(['storage.objects.get', 'pubsub.topics.publish'], catalogue).map((r) => r.role)).toEqual([
      'roles/pubsub.publisher',
      'roles/storage.objectViewer',
    ]);
  });

  it('never suggests a basic or a service agent role, and gives nothing when a permission cannot be covered', () => {
    expect(isSuggestible('roles/editor')).toBe(false);
    expect(isSuggestible('roles/aiedgeportal.serviceAgent')).toBe(false);
    expect(isSuggestible('roles/aiplatform.colabServiceAgent')).toBe(false);
    expect(isSuggestible('roles/storage.objectViewer')).toBe(true);
    const small = roleCatalogueFrom({
      source: 'test',
      roles: { 'roles/editor': ['x.a.get', 'x.a.list'], 'roles/x.serviceAgent': ['x.a.get', 'x.a.list'], 'roles/x.viewer': ['x.a.get'] },
    });
    expect(narrowestRoles(['x.a.get'], small)).toEqual([{ role: 'roles/x.viewer', size: 1 }]);
    expect(narrowestRoles(['x.a.get', 'x.a.list'], small)).toEqual([]);
    expect(narrowestRoles([], small)).toEqual([]);
  });
});
