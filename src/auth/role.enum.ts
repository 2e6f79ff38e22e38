export enum Role {
  Admin = 'admin',
  Staff = 'staff',
  Auditor = 'auditor',
}
