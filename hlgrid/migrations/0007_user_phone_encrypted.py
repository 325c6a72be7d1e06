import hlgrid.crypto
from django.db import migrations, models


def encrypt_phones(apps, schema_editor):
    """Encrypt the plain numbers already stored and set their lookup hashes (raw SQL: the
    field's decryption would refuse a plain number on reading)."""
    from hlgrid.crypto import encrypt, lookup_hash

    User = apps.get_model("hlgrid", "User")
    table = schema_editor.quote_name(User._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, phone FROM {table} WHERE phone <> ''")
        rows = cursor.fetchall()
        for pk, phone in rows:
            if phone.startswith("gAAAAA"):  # a Fernet token: already encrypted
                continue
            cursor.execute(
                f"UPDATE {table} SET phone = %s, phone_hash = %s WHERE id = %s",
                [encrypt(phone), lookup_hash(phone), pk],
            )


def decrypt_phones(apps, schema_editor):
    """Back to plain numbers, so the column can be narrowed again."""
    from hlgrid.crypto import decrypt

    User = apps.get_model("hlgrid", "User")
    table = schema_editor.quote_name(User._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, phone FROM {table} WHERE phone <> ''")
        for pk, phone in cursor.fetchall():
            if phone.startswith("gAAAAA"):
                cursor.execute(f"UPDATE {table} SET phone = %s WHERE id = %s", [decrypt(phone), pk])


class Migration(migrations.Migration):
    dependencies = [
        ("hlgrid", "0006_sweep_lease"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="phone_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=hlgrid.crypto.EncryptedTextField(blank=True, verbose_name="phone"),
        ),
        migrations.RunPython(encrypt_phones, decrypt_phones),
    ]
