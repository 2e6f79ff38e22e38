/** What was done. Values are stable: they are stored in audit rows and used in filters. */
export enum AuditAction {
  Login = 'login',
  Logout = 'logout',
  PasswordChange = 'password_change',
  Create = 'create',
  Update = 'update',
  Delete = 'delete',
  Restore = 'restore',
  BulkImport = 'bulk_import',
  BulkImportUndo = 'bulk_import_undo',
  BulkUpdate = 'bulk_update',
  BulkDelete = 'bulk_delete',
  BulkExport = 'bulk_export',
  RoleChange = 'role_change',
  PermissionGrant = 'permission_grant',
  PermissionRevoke = 'permission_revoke',
  BackupCreate = 'backup_create',
  BackupRestore = 'backup_restore',
  ConfigChange = 'config_change',
  RetentionPurge = 'retention_purge',
  Cancel = 'cancel',
  Verify = 'verify',
}

/** What it was done to. */
export enum AuditResource {
  User = 'user',
  Student = 'student',
  Course = 'course',
  Grade = 'grade',
  Attendance = 'attendance',
  Enrollment = 'enrollment',
  Performance = 'performance',
  Highlight = 'highlight',
  Report = 'report',
  Session = 'session',
  System = 'system',
  AuditLog = 'audit_log',
  Job = 'job',
  /** An import preview; its id is the preview's. */
  Import = 'import',
}
