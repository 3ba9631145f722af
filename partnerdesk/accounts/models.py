from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from partnerdesk.core.ids import PublicIdField

LANGUAGE_CHOICES = [("en", "English"), ("de", "Deutsch"), ("nl", "Nederlands")]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("users need an e-mail address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. The e-mail address is the login (seed 002: "username is the e-mail").

    ``is_staff`` marks vendor staff (the back office).
    """

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email


class Vendor(models.Model):
    """The company running this partnerdesk: the seller on every invoice. One row."""

    singleton = models.BooleanField(default=True, editable=False)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2)
    vat_id = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    bank_name = models.CharField(max_length=200, blank=True)
    iban = models.CharField(max_length=34, blank=True)
    bic = models.CharField(max_length=11, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["singleton"], name="vendor_single_row"),
            models.CheckConstraint(condition=models.Q(singleton=True), name="vendor_singleton_true"),
        ]

    def __str__(self) -> str:
        return self.name


class Reseller(models.Model):
    """A channel partner. A reseller with sub-resellers is a distributor."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending approval"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    public_id = PublicIdField(prefix="rsl")
    name = models.CharField(max_length=200, unique=True)
    country = models.CharField(max_length=2)
    vat_id = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="sub_resellers")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lte=100),
                name="reseller_discount_0_100",
            ),
            models.CheckConstraint(condition=~models.Q(parent=models.F("pk")), name="reseller_not_own_parent"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "active", "suspended"]),
                name="reseller_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResellerMembership(models.Model):
    """A user's place in a reseller's team, with one role."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        BILLING = "billing", "Billing"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reseller_memberships")
    reseller = models.ForeignKey(Reseller, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "reseller"], name="membership_user_reseller"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "admin", "billing", "viewer"]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.reseller} ({self.role})"


class ApiKey(models.Model):
    """A bearer key for the REST API, scoped to one reseller or to the vendor.

    Only a SHA-256 of the key is stored (keys are 256-bit random, so a slow hash adds
    nothing); ``prefix`` is the visible start that lets people tell keys apart.
    """

    public_id = PublicIdField(prefix="key")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    reseller = models.ForeignKey(Reseller, null=True, blank=True, on_delete=models.CASCADE, related_name="api_keys")
    is_vendor = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(is_vendor=True, reseller__isnull=True) | models.Q(is_vendor=False, reseller__isnull=False)
                ),
                name="apikey_one_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({'vendor' if self.is_vendor else self.reseller})"


class Session(AbstractBaseSession):
    """Django's database session, with the signed-in user's id beside its (signed) data: each
    console request reads its session, user, memberships and revision numbers in one
    statement (selectors.session_read). Deleted with its user."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    @classmethod
    def get_session_store_class(cls):
        from partnerdesk.accounts.sessions.db import SessionStore

        return SessionStore
