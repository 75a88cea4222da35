/**
 * The PyPI packages of the stand-in images, pinned with every dependency: pip installs exactly
 * these (--no-deps), so a build never picks up a newer release. Change versions here only.
 */
export const PYTHON_PACKAGES = {
    /** The pure-Python PostgreSQL driver of the backend. */
    backend: [
        "pg8000==1.31.6",
        "scramp==1.5.0",
        "asn1crypto==1.5.1",
        "python-dateutil==2.9.0.post0",
        "six==1.17.0",
    ],
    /** The aws CLI, version 1 (it carries its own botocore and s3transfer). */
    backup: [
        "awscli==1.46.3",
        "docutils==0.19",
        "PyYAML==6.0.4",
        "colorama==0.4.6",
        "rsa==4.7.2",
        "pyasn1==0.6.5",
        "jmespath==1.1.0",
        "python-dateutil==2.9.0.post0",
        "six==1.17.0",
        "urllib3==2.8.0",
    ],
} as const;
