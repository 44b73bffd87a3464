/** rbac.authorization.k8s.io/v1 RoleBinding and ClusterRoleBinding: NAME ROLE AGE; wide USERS GROUPS SERVICEACCOUNTS. */
import { age, ageColumn, column, nameColumn } from '../format.js';
import type { TablePrinter } from '../types.js';

/** Subjects split by kind; service accounts as namespace/name. */
export function subjectStrings(subjects: any[] | undefined): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of subjects ?? []) {
    if (s?.kind === 'ServiceAccount') serviceAccounts.push(`${s.namespace ?? ''}/${s.name ?? ''}`);
    else if (s?.kind === 'User') users.push(String(s.name ?? ''));
    else if (s?.kind === 'Group') groups.push(String(s.name ?? ''));
  }
  return { users, groups, serviceAccounts };
}

function bindingPrinter(what: string): TablePrinter {
  return {
    columns: [
      nameColumn,
      column('Role', 'Role granted, as Kind/name.'),
      ageColumn,
      column('Users', `Users in the ${what}.`, { priority: 1 }),
      column('Groups', `Groups in the ${what}.`, { priority: 1 }),
      column('ServiceAccounts', `Service accounts in the ${what}.`, { priority: 1 }),
    ],
    cells(b, now) {
      const s = subjectStrings(b?.subjects);
      return [
        b?.metadata?.name ?? '',
        `${b?.roleRef?.kind ?? ''}/${b?.roleRef?.name ?? ''}`,
        age(b, now),
        s.users.join(', '),
        s.groups.join(', '),
        s.serviceAccounts.join(', '),
      ];
    },
  };
}

export const roleBindingPrinter = bindingPrinter('role binding');
export const clusterRoleBindingPrinter = bindingPrinter('cluster role binding');
