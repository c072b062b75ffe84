# Writes the GCP usage scenario fixtures (fixtures/gcp/{data-access-logs-off-unverifiable,impersonation-chain-attribution,
# denied-attempt-not-usage,key-unused-stale}). Hand-specified, readable data; run: python3 scripts/make-gcp-scenario-fixtures.py
import json, os
ROOT=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'gcp')
def w(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path,'w') as f: json.dump(obj, f, indent=2); f.write('\n')
def sa(p, name, disp, uid):
    email=f'{name}@{p}.iam.gserviceaccount.com'
    return {"displayName": disp, "email": email, "name": f"projects/{p}/serviceAccounts/{email}", "projectId": p, "uniqueId": uid}
def em(p,name): return f'{name}@{p}.iam.gserviceaccount.com'
n=[0]
def entry(p, ts, principal, perms, stream='data_access', service='storage.googleapis.com', method=None, delegation=None, resource=None):
    n[0]+=1
    auth={"principalEmail": principal}
    if delegation: auth["serviceAccountDelegationInfo"]=[{"firstPartyPrincipal":{"principalEmail":d}} for d in delegation]
    az=[]
    for perm, granted in perms:
        a={"permission": perm, "resource": resource or f"projects/_/buckets/{p}-data", "resourceAttributes": {}}
        if granted: a["granted"]=True
        az.append(a)
    pp={"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":auth,"methodName": method or (perms[0][0] if perms else 'unknown'),"serviceName":service,"requestMetadata":{"callerIp":"10.0.0.1"},"resourceName": resource or f"projects/_/buckets/{p}-data"}
    if az: pp["authorizationInfo"]=az
    if perms and not all(g for _,g in perms): pp["status"]={"code":7,"message":"PERMISSION_DENIED"}
    return {"insertId": f"e{n[0]:06d}","logName": f"projects/{p}/logs/cloudaudit.googleapis.com%2F{stream}","protoPayload":pp,"receiveTimestamp":ts,"resource":{"labels":{"project_id":p},"type":"gcs_bucket"},"severity":"INFO" if all(g for _,g in perms) else "ERROR","timestamp":ts}
def background(p):
    # A person's calls at both ends of the window in both audit logs: they show the logs reach back.
    return [entry(p,'2026-08-21T09:00:00Z','alice@example.com',[('storage.buckets.create',True)],'activity'),
            entry(p,'2026-11-19T17:00:00Z','alice@example.com',[('storage.buckets.create',True)],'activity'),
            entry(p,'2026-08-21T09:05:00Z','alice@example.com',[('storage.objects.list',True)],'data_access'),
            entry(p,'2026-11-19T17:05:00Z','alice@example.com',[('storage.objects.list',True)],'data_access')]
def ancestry(p, org): return [{"id":p,"type":"project"},{"id":org,"type":"organization"}]
def binding(role, *members): return {"role":role,"members":list(members)}

# A: data-access-logs-off-unverifiable
p='data-lake-2468'; d=f'{ROOT}/data-access-logs-off-unverifiable/gcp'
w(f'{d}/{p}/ancestry.json', ancestry(p,'900000000003'))
w(f'{d}/organizations/900000000003/iam-policy.json', {"bindings":[],"etag":"BwYA","version":1})
w(f'{d}/{p}/iam-policy.json', {"auditConfigs":[{"service":"allServices","auditLogConfigs":[{"logType":"DATA_READ","exemptedMembers":[f"serviceAccount:{em(p,'archiver')}"]}]}],
  "bindings":[binding('roles/storage.objectAdmin',f"serviceAccount:{em(p,'etl')}"),binding('roles/storage.objectViewer',f"serviceAccount:{em(p,'archiver')}")],"etag":"BwYB","version":1})
w(f'{d}/{p}/service-accounts.json',[sa(p,'archiver','Nightly archiver','106000000000000000001'),sa(p,'etl','ETL job','106000000000000000002')])
w(f'{d}/{p}/audit-logs/entries.json', background(p)+[entry(p,'2026-11-02T03:00:00Z',em(p,'etl'),[('storage.objects.get',True)],'data_access')])

# B: impersonation-chain-attribution
p='platform-1357'; d=f'{ROOT}/impersonation-chain-attribution/gcp'
w(f'{d}/{p}/ancestry.json', ancestry(p,'900000000004'))
w(f'{d}/organizations/900000000004/iam-policy.json', {"bindings":[],"etag":"BwYA","version":1})
w(f'{d}/{p}/iam-policy.json', {"auditConfigs":[{"service":"allServices","auditLogConfigs":[{"logType":"ADMIN_READ"},{"logType":"DATA_READ"},{"logType":"DATA_WRITE"}]}],
  "bindings":[binding('roles/iam.serviceAccountTokenCreator',f"serviceAccount:{em(p,'deployer')}"),binding('roles/storage.objectViewer',f"serviceAccount:{em(p,'runtime')}")],"etag":"BwYB","version":1})
w(f'{d}/{p}/service-accounts.json',[sa(p,'deployer','CI deployer','107000000000000000001'),sa(p,'runtime','App runtime','107000000000000000002')])
w(f'{d}/{p}/audit-logs/entries.json', background(p)+[
  entry(p,'2026-11-10T12:00:00Z',em(p,'runtime'),[('storage.objects.get',True)],'data_access',delegation=['alice@example.com',em(p,'deployer')]),
  entry(p,'2026-11-10T12:01:00Z',em(p,'runtime'),[('storage.objects.list',True)],'data_access',delegation=['alice@example.com',em(p,'deployer')])])

# C: denied-attempt-not-usage
p='billing-8642'; d=f'{ROOT}/denied-attempt-not-usage/gcp'
w(f'{d}/{p}/ancestry.json', ancestry(p,'900000000005'))
w(f'{d}/organizations/900000000005/iam-policy.json', {"bindings":[],"etag":"BwYA","version":1})
w(f'{d}/{p}/iam-policy.json', {"auditConfigs":[{"service":"allServices","auditLogConfigs":[{"logType":"ADMIN_READ"},{"logType":"DATA_READ"}]}],
  "bindings":[binding('roles/secretmanager.secretAccessor',f"serviceAccount:{em(p,'reporter')}")],"etag":"BwYB","version":1})
w(f'{d}/{p}/service-accounts.json',[sa(p,'reporter','Billing reporter','108000000000000000001')])
sec=f'projects/{p}/secrets/billing-api-key/versions/latest'
w(f'{d}/{p}/audit-logs/entries.json', background(p)+[
  entry(p,f'2026-11-1{i}T08:00:00Z',em(p,'reporter'),[('secretmanager.versions.access',False)],'data_access',service='secretmanager.googleapis.com',method='google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion',resource=sec) for i in range(3)])

# D: key-unused-stale
p='legacy-9753'; d=f'{ROOT}/key-unused-stale/gcp'
w(f'{d}/{p}/ancestry.json', ancestry(p,'900000000006'))
w(f'{d}/organizations/900000000006/iam-policy.json', {"bindings":[],"etag":"BwYA","version":1})
w(f'{d}/{p}/iam-policy.json', {"bindings":[binding('roles/pubsub.publisher',f"serviceAccount:{em(p,'old-sync')}"),binding('roles/storage.objectViewer',f"serviceAccount:{em(p,'dormant-bot')}",f"serviceAccount:{em(p,'new-bot')}")],"etag":"BwYB","version":1})
w(f'{d}/{p}/service-accounts.json',[sa(p,'dormant-bot','Old report bot','109000000000000000001'),sa(p,'new-bot','New bot','109000000000000000002'),sa(p,'old-sync','Legacy sync','109000000000000000003')])
def key(p, acct, kid, after, ktype='USER_MANAGED', before='9999-12-31T23:59:59Z'):
    return {"keyAlgorithm":"KEY_ALG_RSA_2048","keyOrigin":"GOOGLE_PROVIDED","keyType":ktype,"name":f"projects/{p}/serviceAccounts/{em(p,acct)}/keys/{kid}","validAfterTime":after,"validBeforeTime":before}
w(f'{d}/{p}/service-account-keys/{em(p,"old-sync")}.json',[
  key(p,'old-sync','1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa','2025-01-10T00:00:00Z'),
  key(p,'old-sync','2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb','2025-06-01T00:00:00Z'),
  key(p,'old-sync','3333cccc3333cccc3333cccc3333cccc3333cccc','2026-10-01T00:00:00Z'),
  key(p,'old-sync','4444dddd4444dddd4444dddd4444dddd4444dddd','2026-11-01T00:00:00Z','SYSTEM_MANAGED','2028-11-01T00:00:00Z')])
obs={"startTime":"2025-11-20T00:00:00Z","endTime":"2026-11-19T00:00:00Z"}
def sa_act(acct, t):
    fr=f"//iam.googleapis.com/projects/{p}/serviceAccounts/{em(p,acct)}"
    return {"activity":{"lastAuthenticatedTime":t,"serviceAccount":{"fullResourceName":fr,"projectNumber":"123456789012","serviceAccountId":"1090000"}},"activityType":"serviceAccountLastAuthentication","fullResourceName":fr,"observationPeriod":obs}
def key_act(acct, kid, t):
    fr=f"//iam.googleapis.com/projects/{p}/serviceAccounts/{em(p,acct)}/keys/{kid}"
    return {"activity":{"lastAuthenticatedTime":t,"serviceAccountKey":{"fullResourceName":fr,"projectNumber":"123456789012","serviceAccountId":"1090000"}},"activityType":"serviceAccountKeyLastAuthentication","fullResourceName":fr,"observationPeriod":obs}
w(f'{d}/{p}/activity/serviceAccountLastAuthentication.json',[sa_act('dormant-bot','2026-02-01T10:00:00Z'),sa_act('old-sync','2026-11-18T06:00:00Z')])
w(f'{d}/{p}/activity/serviceAccountKeyLastAuthentication.json',[key_act('old-sync','1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa','2026-03-01T10:00:00Z'),key_act('old-sync','2222bbbb2222bbbb2222bbbb2222bbbb2222bbbb','2026-11-18T06:00:00Z')])

# E: recommender-insight-used (IAM policy insights as extra evidence of use)
p='insights-1122'; d=f'{ROOT}/recommender-insight-used/gcp'
w(f'{d}/{p}/ancestry.json', ancestry(p,'900000000007'))
w(f'{d}/organizations/900000000007/iam-policy.json', {"bindings":[],"etag":"BwYA","version":1})
w(f'{d}/{p}/iam-policy.json', {"bindings":[binding('roles/storage.objectViewer',f"serviceAccount:{em(p,'loader')}")],"etag":"BwYB","version":1})
w(f'{d}/{p}/service-accounts.json',[sa(p,'loader','Batch loader','110000000000000000001')])
w(f'{d}/{p}/audit-logs/entries.json', background(p))
def insight(iid, refresh, exercised, inferred=()):
    return {"category":"SECURITY","content":{"condition":{"description":"","expression":"","location":"","title":""},
      "exercisedPermissions":[{"permission":x} for x in exercised],"inferredPermissions":[{"permission":x} for x in inferred],
      "member":f"serviceAccount:{em(p,'loader')}","role":"roles/storage.objectViewer","currentTotalPermissionsCount":"8"},
      "description":f"{len(exercised)} of the permissions in this role binding were used in the past 90 days.",
      "insightSubtype":"PERMISSIONS_USAGE","lastRefreshTime":refresh,
      "name":f"projects/123456789013/locations/global/insightTypes/google.iam.policy.Insight/insights/{iid}",
      "observationPeriod":"7776000s","stateInfo":{"state":"ACTIVE"},"targetResources":["//cloudresourcemanager.googleapis.com/projects/123456789013"]}
# In the window: objects.get exercised. A year old: objects.list exercised then, proves nothing now.
w(f'{d}/{p}/recommender/google.iam.policy.Insight.json',[
  insight('11111111-aaaa-4bbb-8ccc-000000000001','2026-11-18T07:00:00Z',['storage.objects.get'],['storage.folders.get']),
  insight('11111111-aaaa-4bbb-8ccc-000000000002','2025-11-18T07:00:00Z',['storage.objects.list'])])

# F: data-access-retention (Data Access logs reach back 30 days only; Admin Activity the whole window)
p='retention-3579'; d=f'{ROOT}/data-access-retention/gcp'
w(f'{d}/{p}/ancestry.json', ancestry(p,'900000000008'))
w(f'{d}/organizations/900000000008/iam-policy.json', {"bindings":[],"etag":"BwYA","version":1})
w(f'{d}/{p}/iam-policy.json', {"auditConfigs":[{"service":"allServices","auditLogConfigs":[{"logType":"ADMIN_READ"},{"logType":"DATA_READ"},{"logType":"DATA_WRITE"}]}],
  "bindings":[binding('roles/storage.objectAdmin',f"serviceAccount:{em(p,'uploader')}")],"etag":"BwYB","version":1})
w(f'{d}/{p}/service-accounts.json',[sa(p,'uploader','Uploader','111000000000000000001')])
w(f'{d}/{p}/audit-logs/entries.json', [
  entry(p,'2026-08-21T09:00:00Z','alice@example.com',[('storage.buckets.create',True)],'activity'),
  entry(p,'2026-11-19T17:00:00Z','alice@example.com',[('storage.buckets.create',True)],'activity'),
  entry(p,'2026-10-21T09:05:00Z','alice@example.com',[('storage.objects.list',True)],'data_access'),
  entry(p,'2026-11-19T17:05:00Z','alice@example.com',[('storage.objects.list',True)],'data_access')])

# G: custom-role-unused-permission (named permissions of a custom role, one also granted by a predefined role)
p='media-4680'; d=f'{ROOT}/custom-role-unused-permission/gcp'
w(f'{d}/{p}/ancestry.json', ancestry(p,'900000000009'))
w(f'{d}/organizations/900000000009/iam-policy.json', {"bindings":[],"etag":"BwYA","version":1})
w(f'{d}/{p}/iam-policy.json', {"bindings":[binding(f'projects/{p}/roles/bucketManager',f"serviceAccount:{em(p,'publisher')}"),
  binding('roles/storage.admin',f"serviceAccount:{em(p,'publisher')}")],"etag":"BwYB","version":1})
w(f'{d}/{p}/service-accounts.json',[sa(p,'publisher','Media publisher','112000000000000000001')])
w(f'{d}/{p}/roles/bucketManager.json',{"etag":"BwYC","includedPermissions":["storage.buckets.create","storage.buckets.delete","storage.buckets.update"],
  "name":f"projects/{p}/roles/bucketManager","stage":"GA","title":"Bucket manager"})
w(f'{d}/{p}/audit-logs/entries.json', background(p)+[entry(p,'2026-11-05T08:00:00Z',em(p,'publisher'),[('storage.buckets.create',True)],'activity')])

# H: run-storage-admin (issue 14's scenario: roles/run.admin and roles/storage.admin bound to service
# accounts, Admin Activity over the window, Data Access on for storage only; a Pub/Sub publisher;
# one entry by someone else whose check carries permissionType for a permission the table does not know)
p='serve-2025'; d=f'{ROOT}/run-storage-admin/gcp'
w(f'{d}/{p}/ancestry.json', ancestry(p,'900000000010'))
w(f'{d}/organizations/900000000010/iam-policy.json', {"bindings":[],"etag":"BwYA","version":1})
w(f'{d}/{p}/iam-policy.json', {"auditConfigs":[{"service":"storage.googleapis.com","auditLogConfigs":[{"logType":"ADMIN_READ"},{"logType":"DATA_READ"},{"logType":"DATA_WRITE"}]}],
  "bindings":[binding('roles/run.admin',f"serviceAccount:{em(p,'deployer')}"),binding('roles/storage.admin',f"serviceAccount:{em(p,'storer')}"),
              binding('roles/pubsub.publisher',f"serviceAccount:{em(p,'storer')}")],"etag":"BwYB","version":1})
w(f'{d}/{p}/service-accounts.json',[sa(p,'deployer','Cloud Run deployer','113000000000000000001'),sa(p,'storer','Object store job','113000000000000000002')])
typed=entry(p,'2026-10-01T10:00:00Z','alice@example.com',[('run.executions.cancel',True)],'activity',service='run.googleapis.com',method='google.cloud.run.v2.Executions.CancelExecution',resource=f'namespaces/{p}/executions/nightly-1')
typed['protoPayload']['authorizationInfo'][0]['permissionType']='ADMIN_WRITE'
w(f'{d}/{p}/audit-logs/entries.json', background(p)+[
  entry(p,'2026-11-03T08:00:00Z',em(p,'deployer'),[('run.services.update',True)],'activity',service='run.googleapis.com',method='google.cloud.run.v2.Services.UpdateService',resource=f'projects/{p}/locations/europe-west1/services/api'),
  entry(p,'2026-11-04T08:00:00Z',em(p,'storer'),[('storage.objects.create',True)],'data_access'),
  entry(p,'2026-11-04T08:01:00Z',em(p,'storer'),[('storage.objects.get',True)],'data_access'),
  typed])
