% rebase('layout')
<h1>Appointment on {{local(item.start, '%A %d %B %Y')}}</h1>
<p class="lead">Status: <strong class="status">{{status}}</strong></p>
% if item.status in progress:
<ol class="progress" aria-label="Repair progress">
% reached = progress.index(item.status)
% for index, step in enumerate(progress):
  <li class="{{'done' if index <= reached else ''}}"{{!' aria-current="step"' if index == reached else ''}}>{{status if index == reached else words[step]}}</li>
% end
</ol>
% end
<div class="columns">
<section>
  <h2>Details</h2>
  <dl class="details">
    <dt>When</dt><dd>{{local(item.start)}} – {{local(item.end, '%H:%M')}}</dd>
    <dt>Car</dt><dd>{{item.vehicle}}</dd>
    <dt>Services</dt>
    <dd><ul class="plain">
% for s in item.services:
      <li>{{s.name}} · {{money(gross(s.price))}}</li>
% end
    </ul></dd>
% if extras.get('quote'):
    <dt>Quote</dt><dd id="from-quote">Booked from <a href="/quotes/{{extras['quote']}}">quote {{extras['quote']}}</a></dd>
% end
    <dt>Estimated price</dt><dd>{{money(gross(item.total_price))}} (incl. {{vat_rate()}}% VAT)</dd>
  </dl>
% if options.can_reschedule or options.can_cancel:
  <p>
% if options.can_reschedule:
    <a class="button" href="/appointments/{{item.id}}/reschedule">Move to another time</a>
% end
% if options.can_cancel:
    <a class="button danger" href="/appointments/{{item.id}}/cancel">Cancel appointment</a>
% end
  </p>
% end
% if options.why_not:
  <p class="warning" id="why-not">{{options.why_not}} To {{'move it again' if options.can_cancel else 'change it now'}}, please {{!call_us()}}.</p>
% end
% include('_appointment_extras')
</section>
<section>
  <h2>History</h2>
  <ol class="timeline">
% for step in history:
    <li><strong>{{words.get(step.status, step.status) if step.kind != 'rescheduled' else 'Moved'}}</strong>
      <span class="meta">{{local(step.at)}}</span>
% if step.moved_from and step.moved_to:
      <br><span class="meta">from {{local(step.moved_from)}} to {{local(step.moved_to)}}</span>
% end
    </li>
% end
  </ol>
</section>
</div>
<p><a href="/appointments">All my appointments</a></p>
