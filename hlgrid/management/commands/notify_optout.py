"""Record opt-outs that reached us outside the site: the numbers that replied 退订 to the SMS
provider (its reply report), or that asked a worker in person.

    python manage.py notify_optout 13812345678 13900001111
    python manage.py notify_optout --file replies.txt      # one number a line
"""

from django.core.management.base import BaseCommand, CommandError

from hlgrid.errors import InvalidInput
from hlgrid.notifier.models import Channel, OptOutSource
from hlgrid.notifier.services import optout_record


class Command(BaseCommand):
    help = "Send no more text messages to these numbers (replies of 退订 to the SMS provider)."

    def add_arguments(self, parser):
        parser.add_argument("numbers", nargs="*")
        parser.add_argument("--file", help="a file with one number a line")
        parser.add_argument(
            "--source", choices=OptOutSource.values, default=OptOutSource.REPLY, help="how they asked"
        )

    def handle(self, *args, numbers, file=None, source, **options):
        wanted = list(numbers)
        if file:
            with open(file, encoding="utf-8") as handle:
                wanted += [line.strip() for line in handle if line.strip()]
        if not wanted:
            raise CommandError("name at least one number (or --file)")
        done, refused = 0, 0
        for number in wanted:
            try:
                optout_record(channel=Channel.SMS, address=number, source=source)
            except InvalidInput:
                refused += 1
                continue
            done += 1
        # Counts only: the numbers themselves are personal data and stay out of the output.
        self.stdout.write(f"{done} number(s) opted out, {refused} not a mobile number")
