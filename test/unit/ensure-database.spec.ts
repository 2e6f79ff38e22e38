import { maintenanceTarget } from '../../src/database/ensure-database';

describe('maintenanceTarget', () => {
  it('extracts the database name and points the maintenance URL at postgres', () => {
    expect(maintenanceTarget('postgres://postgres@127.0.0.1:5432/sms')).toEqual({
      databaseName: 'sms',
      maintenanceUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
    });
  });

  it('keeps user, password, host, port and query string', () => {
    expect(maintenanceTarget('postgresql://app:s3cr%40t@db.example.com:6543/app_test?sslmode=require&application_name=x')).toEqual({
      databaseName: 'app_test',
      maintenanceUrl: 'postgresql://app:s3cr%40t@db.example.com:6543/postgres?sslmode=require&application_name=x',
    });
  });

  it('decodes a percent-encoded database name', () => {
    expect(maintenanceTarget('postgres://u@h/my%20db').databaseName).toBe('my db');
    expect(maintenanceTarget('postgres://u@h/%CE%B1%CE%B2').databaseName).toBe('αβ');
    expect(maintenanceTarget('postgres://u@h/a%2Fb').databaseName).toBe('a/b');
  });

  it('keeps the name of a database called postgres', () => {
    expect(maintenanceTarget('postgres://u@h:5432/postgres')).toEqual({
      databaseName: 'postgres',
      maintenanceUrl: 'postgres://u@h:5432/postgres',
    });
  });

  it('works without a host (Unix socket in the query)', () => {
    expect(maintenanceTarget('postgres:///sms?host=/var/run/postgresql')).toEqual({
      databaseName: 'sms',
      maintenanceUrl: 'postgres:///postgres?host=/var/run/postgresql',
    });
  });

  it.each(['postgres://u@h:5432', 'postgres://u@h:5432/', 'postgres://u@h/?sslmode=require'])(
    'throws for %s, which names no database',
    (url) => {
      expect(() => maintenanceTarget(url)).toThrow(new Error('DATABASE_URL names no database'));
    },
  );

  it('throws for something that is not a URL', () => {
    expect(() => maintenanceTarget('not a url')).toThrow('Invalid URL');
  });
});
